package io.vxdump.fetch;

import io.vxdump.s3.S3Clients;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * Downloads ahead of the merge: objects are fetched, {@code parallel} at a time, in the order the
 * merge will open them, each into a spool file that is unlinked as soon as it is opened (its space
 * returns when the reader closes it). The merge waits only for the object it needs now; memory does
 * not grow with objects' sizes, and the spool holds at most {@code parallel} objects not yet opened
 * plus those being read.
 */
final class S3Downloads implements AutoCloseable {
    private final S3AsyncClient client;
    private final String bucket;
    private final Path spool;
    private final int parallel;
    private final Map<ArchivedFile, CompletableFuture<Path>> started = new HashMap<>();
    /** Started and not yet opened. */
    private final Set<ArchivedFile> waiting = new LinkedHashSet<>();
    private List<ArchivedFile> order = List.of();
    private int next;
    private int spoolSeq;
    private boolean spoolMade;
    private final AtomicLong objects = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    S3Downloads(S3AsyncClient client, String bucket, Path spool, int parallel) {
        this.client = client;
        this.bucket = bucket;
        this.spool = spool;
        this.parallel = Math.max(1, parallel);
    }

    /** The objects in the order the merge will open them: downloads start now. */
    synchronized void plan(List<ArchivedFile> order) {
        this.order = new ArrayList<>(order);
        next = 0;
        fill();
    }

    /** The object's bytes, once downloaded; starts the next downloads. */
    InputStream open(ArchivedFile f) throws IOException {
        CompletableFuture<Path> download;
        synchronized (this) {
            download = started.get(f);
            if (download == null) {
                download = start(f); // not in the plan (or not yet reached): now
            }
            waiting.remove(f);
            fill();
        }
        Path file;
        try {
            file = download.get();
        } catch (ExecutionException e) {
            throw new IOException("download failed (" + S3Clients.reason(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        InputStream in = Files.newInputStream(file);
        Files.deleteIfExists(file); // the open stream keeps the data; nothing is left behind
        objects.incrementAndGet();
        bytes.addAndGet(f.size());
        return in;
    }

    private void fill() {
        while (waiting.size() < parallel && next < order.size()) {
            ArchivedFile f = order.get(next++);
            if (!started.containsKey(f)) {
                start(f);
                waiting.add(f);
            }
        }
    }

    private CompletableFuture<Path> start(ArchivedFile f) {
        CompletableFuture<Path> download;
        try {
            if (!spoolMade) {
                Files.createDirectories(spool);
                spoolMade = true;
            }
            Path file = spool.resolve(String.format("%06d-%s", spoolSeq++, f.name()));
            String key = f.location().substring(("s3://" + bucket + "/").length());
            download = client.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build(),
                    AsyncResponseTransformer.toFile(file)).thenApply(r -> file);
        } catch (IOException | RuntimeException e) {
            download = CompletableFuture.failedFuture(e);
        }
        started.put(f, download);
        return download;
    }

    /** "N object(s), X MB downloaded". */
    String summary() {
        return objects.get() + " object(s), " + String.format("%.1f", bytes.get() / 1e6) + " MB downloaded";
    }

    long objects() {
        return objects.get();
    }

    long bytes() {
        return bytes.get();
    }

    @Override
    public synchronized void close() throws IOException {
        for (CompletableFuture<Path> d : started.values()) {
            d.cancel(true);
        }
        if (spoolMade && Files.isDirectory(spool)) {
            try (var files = Files.list(spool)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(spool);
            } catch (IOException e) {
                // a cancelled download still writing: the spool is under the temporary directory
            }
        }
    }
}
