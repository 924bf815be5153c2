package io.vxdump.fetch;

import io.vxdump.s3.S3Clients;
import io.vxdump.s3.S3Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The archive that {@code upload:} writes: {@code PREFIX/<session>/<yyyy>/<mm>/<dd>/<file>}, the date
 * of each file's first packet. Listing asks for the day prefixes the window (and the lookback
 * before it) can touch, session by session, never the whole bucket; without {@code --session} the
 * sessions are the prefix's "directories" (one delimiter listing). Chosen objects are downloaded
 * ahead of the merge by {@link S3Downloads}.
 */
public final class S3Archive implements ArchiveSource {
    private final S3Location where;
    private final S3AsyncClient client;
    private final S3Downloads downloads;

    /**
     * @param spool    where downloads wait to be read (deleted as they are opened)
     * @param parallel objects downloaded at once, ahead of the merge
     */
    public S3Archive(S3Location where, S3AsyncClient client, Path spool, int parallel) {
        this.where = where;
        this.client = client;
        this.downloads = new S3Downloads(client, where.bucket(), spool, parallel);
    }

    @Override
    public Selection select(Set<String> sessions, TimeWindow window, long lookbackSeconds) throws IOException {
        Set<String> names = sessions.isEmpty() ? listSessions() : new TreeSet<>(sessions);
        long fromSecond = Math.floorDiv(window.fromNanos(), 1_000_000_000L) - lookbackSeconds;
        long toSecond = Math.floorDiv(window.toNanos() - 1, 1_000_000_000L);
        LocalDate first = LocalDate.ofEpochDay(Math.floorDiv(fromSecond, 86_400L));
        LocalDate last = LocalDate.ofEpochDay(Math.floorDiv(toSecond, 86_400L));
        Map<String, List<ArchivedFile>> series = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        for (String session : names) {
            for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
                String dayPrefix = where.key(session + "/" + String.format("%04d/%02d/%02d/", d.getYear(),
                        d.getMonthValue(), d.getDayOfMonth()));
                for (S3Object o : list(dayPrefix)) {
                    String name = o.key().substring(o.key().lastIndexOf('/') + 1);
                    ArchiveNames.Parsed n = ArchiveNames.parse(name, session);
                    if (n != null) {
                        String key = where + "/" + session + "/" + n.prefix();
                        series.computeIfAbsent(key, k -> new ArrayList<>()).add(new ArchivedFile(where.uri(o.key()),
                                session, key, n.startSecond(), n.seq(), n.gzip(), o.size(), this));
                    } else if (ArchiveNames.unreadableKind(name)) {
                        unreadable.add(where.uri(o.key()));
                    }
                }
            }
        }
        return Selection.choose(series, unreadable, window, lookbackSeconds);
    }

    /** The session "directories" under the prefix. */
    private Set<String> listSessions() throws IOException {
        String prefix = where.prefix().isEmpty() ? "" : where.prefix() + "/";
        Set<String> out = new TreeSet<>();
        String token = null;
        do {
            ListObjectsV2Response r = call(ListObjectsV2Request.builder().bucket(where.bucket()).prefix(prefix)
                    .delimiter("/").continuationToken(token).build());
            for (CommonPrefix p : r.commonPrefixes()) {
                String s = p.prefix().substring(prefix.length()).replaceAll("/+$", "");
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    private List<S3Object> list(String prefix) throws IOException {
        List<S3Object> out = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response r = call(ListObjectsV2Request.builder().bucket(where.bucket()).prefix(prefix)
                    .continuationToken(token).build());
            out.addAll(r.contents());
            token = Boolean.TRUE.equals(r.isTruncated()) ? r.nextContinuationToken() : null;
        } while (token != null);
        return out;
    }

    private ListObjectsV2Response call(ListObjectsV2Request request) throws IOException {
        try {
            return client.listObjectsV2(request).join();
        } catch (RuntimeException e) {
            throw new IOException(where + ": cannot list (" + S3Clients.reason(e) + ")");
        }
    }

    @Override
    public void prepare(List<ArchivedFile> order) {
        downloads.plan(order);
    }

    @Override
    public InputStream open(ArchivedFile f) throws IOException {
        return downloads.open(f);
    }

    @Override
    public String transferred() {
        return downloads.summary();
    }

    @Override
    public void close() throws IOException {
        downloads.close();
        client.close();
    }
}
