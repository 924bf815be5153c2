package io.vxdump.fetch;

import io.vxdump.capture.BpfMatcher;
import io.vxdump.capture.CapturedPacket;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One time-ordered capture from many files: the selected files are grouped into series (one session
 * of one instance, whose files follow each other), one reader per series, and their packets are
 * merged by timestamp (k-way, a heap of series: memory is one open file per series, whatever the
 * files' sizes); ties keep the order of the series. Each packet in the window that the filter
 * keeps is written at once.
 *
 * <p>The first packet of every series decides the output: classic pcap when they share one link
 * type, pcapng with an interface per link type when they do not (a classic pcap has one link type
 * for all its records); nanosecond timestamps when any series has them.
 */
public final class Fetcher {
    /** What a fetch did. */
    public record Summary(int files, long packets, int warnings, boolean pcapng) {
    }

    /** Where a running fetch is: files opened and packets written so far. */
    public record Progress(int files, long packets) {
    }

    /** Where warnings (counted: a non-zero exit) and notices (not counted) go, and progress. */
    public interface Listener {
        void warning(String line);

        void notice(String line);

        default void progress(Progress p) {
        }
    }

    private static final long TICK_NANOS = 200_000_000L;

    private Fetcher() {
    }

    /**
     * Writes the packets of {@code files} inside {@code window} that {@code filter} keeps (all when
     * null or blank) to {@code out}.
     *
     * @throws IllegalArgumentException a bad filter expression
     */
    public static Summary fetch(List<ArchivedFile> files, TimeWindow window, String filter, OutputStream out,
                                Listener listener) throws IOException {
        int[] warnings = {0};
        Consumer<String> counted = w -> {
            warnings[0]++;
            listener.warning(w);
        };
        Map<String, List<ArchivedFile>> bySeries = new LinkedHashMap<>();
        for (ArchivedFile f : files) {
            bySeries.computeIfAbsent(f.series(), k -> new ArrayList<>()).add(f);
        }
        List<SeriesReader> series = new ArrayList<>();
        for (List<ArchivedFile> s : bySeries.values()) {
            series.add(new SeriesReader(s, window, counted));
        }
        Map<Integer, BpfMatcher> matchers = new HashMap<>();
        boolean filtered = filter != null && !filter.isBlank();
        long packets = 0;
        boolean pcapng = false;
        try {
            TreeSet<Integer> linkTypes = new TreeSet<>();
            boolean nanos = false;
            SeriesHeap heap = new SeriesHeap(series.size());
            for (int i = 0; i < series.size(); i++) {
                SeriesReader s = series.get(i);
                if (s.advance()) {
                    heap.add(i, s.head().timestampNanos());
                    linkTypes.add(s.head().linkType());
                    nanos |= s.nanos();
                }
            }
            pcapng = linkTypes.size() > 1;
            if (pcapng) {
                listener.notice("the selected files have different link types " + linkTypes
                        + ": writing pcapng, one interface per link type");
            }
            if (filtered) {
                for (int linkType : linkTypes.isEmpty() ? Set.of(1) : linkTypes) {
                    matchers.put(linkType, BpfMatcher.compile(filter, linkType));
                }
            }
            Set<Integer> refused = new HashSet<>();
            try (CaptureOutput output = pcapng ? CaptureOutput.pcapng(out, nanos)
                    : CaptureOutput.pcap(out, nanos, linkTypes.isEmpty() ? 1 : linkTypes.first())) {
                long lastTick = System.nanoTime();
                while (!heap.isEmpty()) {
                    SeriesReader s = series.get(heap.top());
                    CapturedPacket p = s.head();
                    if (!filtered || matcher(matchers, filter, p.linkType()).matches(p)) {
                        if (output.write(p)) {
                            packets++;
                        } else if (refused.add(p.linkType())) {
                            counted.accept(s.current().location() + ": link type " + p.linkType() + " differs from the "
                                    + "other files' " + linkTypes.first() + "; its packets are left out (fetch it by itself)");
                        }
                    }
                    if (s.advance()) {
                        heap.replaceTop(s.head().timestampNanos());
                    } else {
                        heap.removeTop();
                    }
                    long now = System.nanoTime();
                    if (now - lastTick > TICK_NANOS) { // a live reader (Wireshark on a pipe) sees progress
                        output.flush();
                        listener.progress(new Progress(opened(series), packets));
                        lastTick = now;
                    }
                }
            }
        } finally {
            for (SeriesReader s : series) {
                s.close();
            }
            for (BpfMatcher m : matchers.values()) {
                m.close();
            }
        }
        return new Summary(opened(series), packets, warnings[0], pcapng);
    }

    private static BpfMatcher matcher(Map<Integer, BpfMatcher> matchers, String filter, int linkType) {
        BpfMatcher m = matchers.get(linkType);
        if (m == null) { // a link type first met after the start
            m = BpfMatcher.compile(filter, linkType);
            matchers.put(linkType, m);
        }
        return m;
    }

    private static int opened(List<SeriesReader> series) {
        int n = 0;
        for (SeriesReader s : series) {
            n += s.filesOpened();
        }
        return n;
    }
}
