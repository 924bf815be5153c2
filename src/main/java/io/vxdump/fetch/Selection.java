package io.vxdump.fetch;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What listing found: the files to read, in the order of their first packets, and the files of
 * the archive's naming that fetch cannot read (compressed other than gzip).
 */
public record Selection(List<ArchivedFile> files, List<String> unreadable) {
    static final Comparator<ArchivedFile> START_ORDER = Comparator.comparingLong(ArchivedFile::startSecond)
            .thenComparing(ArchivedFile::series).thenComparingLong(ArchivedFile::seq);

    /** The union of several sources' selections, in start order. */
    public static Selection union(List<Selection> all) {
        List<ArchivedFile> files = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (Selection s : all) {
            files.addAll(s.files);
            unreadable.addAll(s.unreadable);
        }
        files.sort(START_ORDER);
        unreadable.sort(null);
        return new Selection(files, unreadable);
    }

    /**
     * The files of each series that can hold packets of the window. A file's first packet is in its
     * name (to the second); its last packet comes before the first packet of the next file of its
     * series, so a file is taken when it starts before the window ends and the next file of its
     * series starts after the window begins (to the second: one second of slack). A series' last
     * file is taken if it starts before the window ends; files that started more than
     * {@code lookbackSeconds} before the window are not taken.
     */
    static Selection choose(Map<String, List<ArchivedFile>> series, List<String> unreadable, TimeWindow window,
                            long lookbackSeconds) {
        List<ArchivedFile> out = new ArrayList<>();
        long from = Math.floorDiv(window.fromNanos(), 1_000_000_000L);
        long to = Math.floorDiv(window.toNanos() - 1, 1_000_000_000L); // the last second with a selected nanosecond
        for (List<ArchivedFile> files : series.values()) {
            files.sort(START_ORDER);
            for (int i = 0; i < files.size(); i++) {
                ArchivedFile f = files.get(i);
                boolean startsInTime = f.startSecond() <= to && f.startSecond() >= from - lookbackSeconds;
                boolean endsAfterFrom = i + 1 == files.size() || files.get(i + 1).startSecond() >= from;
                if (startsInTime && endsAfterFrom) {
                    out.add(f);
                }
            }
        }
        out.sort(START_ORDER);
        List<String> u = new ArrayList<>(unreadable);
        u.sort(null);
        return new Selection(out, u);
    }
}
