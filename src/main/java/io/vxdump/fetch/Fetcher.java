package io.vxdump.fetch;

import io.vxdump.capture.CaptureReader;
import io.vxdump.capture.CapturedPacket;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One time-ordered capture from many files: the selected files are grouped into series (one session
 * of one instance, whose files follow each other), one reader per series, and their packets are
 * merged by timestamp (k-way, a heap of series: memory is one open file per series, whatever the
 * files' sizes); ties keep the order of the series. Each packet in the window that the filter
 * keeps is written at once.
 */
public final class Fetcher {
    /** What a fetch did. */
    public record Summary(int files, long packets, int warnings) {
    }

    private Fetcher() {
    }

    /**
     * Writes the packets of {@code files} inside {@code window} that {@code filter} keeps (all when
     * null or blank) to {@code out} as one pcap; {@code warn} gets one line per file that could not
     * be read whole.
     *
     * @throws IllegalArgumentException a bad filter expression, or inputs of different link types
     */
    public static Summary fetch(List<ArchivedFile> files, TimeWindow window, String filter, OutputStream out,
                                Consumer<String> warn) throws IOException {
        int[] warnings = {0};
        Consumer<String> counted = w -> {
            warnings[0]++;
            warn.accept(w);
        };
        Header header = header(files);
        Map<String, List<ArchivedFile>> bySeries = new LinkedHashMap<>();
        for (ArchivedFile f : files) {
            bySeries.computeIfAbsent(f.series(), k -> new ArrayList<>()).add(f);
        }
        List<SeriesReader> series = new ArrayList<>();
        for (List<ArchivedFile> s : bySeries.values()) {
            series.add(new SeriesReader(s, window, counted));
        }
        BpfMatcher matcher = filter == null || filter.isBlank() ? null : BpfMatcher.compile(filter, header.linkType);
        long packets = 0;
        int opened = 0;
        try (CaptureOutput output = new CaptureOutput(out, header.nanos, header.linkType)) {
            PriorityQueue<Integer> heap = new PriorityQueue<>(Math.max(1, series.size()), Comparator
                    .comparingLong((Integer i) -> series.get(i).head().timestampNanos()).thenComparingInt(i -> i));
            for (int i = 0; i < series.size(); i++) {
                if (series.get(i).advance()) {
                    heap.add(i);
                }
            }
            long lastFlush = System.nanoTime();
            while (!heap.isEmpty()) {
                int i = heap.poll();
                SeriesReader s = series.get(i);
                CapturedPacket p = s.head();
                if (matcher == null || matcher.matches(p)) {
                    output.write(p);
                    packets++;
                }
                if (s.advance()) {
                    heap.add(i);
                }
                long now = System.nanoTime();
                if (now - lastFlush > 200_000_000L) { // a live reader (Wireshark on a pipe) sees progress
                    output.flush();
                    lastFlush = now;
                }
            }
        } finally {
            for (SeriesReader s : series) {
                opened += s.filesOpened();
                s.close();
            }
            if (matcher != null) {
                matcher.close();
            }
        }
        return new Summary(opened, packets, warnings[0]);
    }

    private record Header(boolean nanos, int linkType) {
    }

    /**
     * The output's precision and link type, from the inputs' headers: nanoseconds if any input has
     * them; one link type, or an error naming them.
     */
    private static Header header(List<ArchivedFile> files) {
        boolean nanos = false;
        TreeSet<Integer> linkTypes = new TreeSet<>();
        for (ArchivedFile f : files) {
            try (CaptureReader r = SeriesReader.open(f)) {
                nanos |= r.nanosecondTimestamps();
                CapturedPacket first = r.next();
                if (first != null) {
                    linkTypes.add(first.linkType());
                }
            } catch (IOException e) {
                // named once the series reaches it
            }
        }
        if (linkTypes.size() > 1) {
            throw new IllegalArgumentException("the selected files have different link types " + linkTypes
                    + ": fetch them by session, or one link type at a time");
        }
        return new Header(nanos, linkTypes.isEmpty() ? 1 : linkTypes.first());
    }
}
