package io.vxdump.fetch;

import io.vxdump.pcap.FileNaming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of local directories a window can touch: an output directory ({@code <session>/<files>}),
 * a copy of several instances' output directories, or any tree holding session directories.
 *
 * <p>Only names are read. A file's first packet is in its name (to the second); its last packet
 * comes before the first packet of the next file of its series, so a file is taken when it starts
 * before the window ends and the next file of its series starts after the window begins (to the
 * second: one second of slack). A series' last file is taken if it starts before the window ends;
 * files that started more than {@code lookback} before the window are not looked at.
 */
public final class LocalArchive {
    private static final Pattern NAME = Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)-(\\d+)\\.pcap(\\.gz)?");
    /** Finished files post-processed into something we cannot read (xz, zstd, ...). */
    private static final Pattern OTHER = Pattern.compile(".+-\\d{8}T\\d{6}Z-\\d+\\.pcap\\..+");

    /** What a listing found: the files to read, in start order, and those it cannot read. */
    public record Selection(List<ArchivedFile> files, List<Path> unreadable) {
    }

    private LocalArchive() {
    }

    /**
     * @param roots    directories to search (at most 8 levels deep)
     * @param sessions session names to take; empty: all
     */
    public static Selection select(List<Path> roots, Set<String> sessions, TimeWindow window, long lookbackSeconds)
            throws IOException {
        Map<String, List<ArchivedFile>> series = new LinkedHashMap<>();
        List<Path> unreadable = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new IOException(root + ": not a directory");
            }
            try (Stream<Path> walk = Files.walk(root, 8)) {
                walk.filter(Files::isRegularFile).forEach(p -> {
                    String name = p.getFileName().toString();
                    if (name.endsWith(FileNaming.PART)) {
                        return; // still being written: the daemon's, not the archive's
                    }
                    Path parent = p.getParent();
                    String session = parent == null ? "" : parent.getFileName().toString();
                    if (!sessions.isEmpty() && !sessions.contains(session)) {
                        return;
                    }
                    Matcher m = NAME.matcher(name);
                    if (m.matches() && m.group(1).startsWith(session + "-")) {
                        long start = FileNaming.stampSeconds(m.group(2));
                        String key = parent + "/" + m.group(1);
                        series.computeIfAbsent(key, k -> new ArrayList<>()).add(new ArchivedFile(p, session, key, start,
                                Long.parseLong(m.group(3)), m.group(4) != null));
                    } else if (OTHER.matcher(name).matches()) {
                        unreadable.add(p);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        List<ArchivedFile> out = new ArrayList<>();
        long from = Math.floorDiv(window.fromNanos(), 1_000_000_000L);
        long to = Math.floorDiv(window.toNanos() - 1, 1_000_000_000L); // the last second with a selected nanosecond
        for (List<ArchivedFile> files : series.values()) {
            files.sort(Comparator.comparingLong(ArchivedFile::startSecond).thenComparingLong(ArchivedFile::seq));
            for (int i = 0; i < files.size(); i++) {
                ArchivedFile f = files.get(i);
                boolean startsInTime = f.startSecond() <= to && f.startSecond() >= from - lookbackSeconds;
                // Its records end before the next file's first packet (within that one's second).
                boolean endsAfterFrom = i + 1 == files.size() || files.get(i + 1).startSecond() >= from;
                if (startsInTime && endsAfterFrom) {
                    out.add(f);
                }
            }
        }
        out.sort(Comparator.comparingLong(ArchivedFile::startSecond).thenComparing(ArchivedFile::series)
                .thenComparingLong(ArchivedFile::seq));
        unreadable.sort(null);
        return new Selection(out, unreadable);
    }
}
