package io.vxdump.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files a window can touch, from their names and their series alone. */
class LocalArchiveTest {
    @TempDir
    Path dir;

    private Path file(String instanceDir, String session, String instance, String stamp, int seq, String suffix)
            throws Exception {
        Path d = Files.createDirectories(dir.resolve(instanceDir).resolve(session));
        return Files.writeString(d.resolve(session + "-" + instance + "-" + stamp + "-" + String.format("%06d", seq) + suffix), "");
    }

    private static Selection select(List<Path> roots, Set<String> sessions, TimeWindow w, long lookback) throws Exception {
        List<Selection> all = new java.util.ArrayList<>();
        for (Path root : roots) {
            all.add(new LocalArchive(root).select(sessions, w, lookback));
        }
        return Selection.union(all);
    }

    private static List<Path> paths(Selection s) {
        return s.files().stream().map(f -> Path.of(f.location())).toList();
    }

    private static long nanos(String t) {
        return Instant.parse(t).getEpochSecond() * 1_000_000_000L;
    }

    @Test
    void aFileIsTakenWhenItCanHoldARecordOfTheWindow() throws Exception {
        Path a1 = file("a", "web", "i-1", "20261201T095500Z", 1, ".pcap");
        Path a2 = file("a", "web", "i-1", "20261201T100000Z", 2, ".pcap");   // 10:00:00 .. before 10:05:00
        Path a3 = file("a", "web", "i-1", "20261201T100500Z", 3, ".pcap.gz");
        Path a4 = file("a", "web", "i-1", "20261201T101000Z", 4, ".pcap");   // starts after the window
        Path b1 = file("b", "web", "i-2", "20261201T100130Z", 7, ".pcap");   // the other instance's last file
        file("a", "db", "i-1", "20261201T100100Z", 1, ".pcap");              // another session
        file("a", "web", "i-1", "20261201T100200Z", 9, ".pcap.part");        // being written
        Path xz = file("a", "web", "i-1", "20261201T100300Z", 5, ".pcap.xz");

        TimeWindow w = new TimeWindow(nanos("2026-12-01T10:02:00Z"), nanos("2026-12-01T10:05:00Z") + 1);
        Selection s = select(List.of(dir.resolve("a"), dir.resolve("b")), Set.of("web"), w, 86_400);
        // a1 ended before a2 began (10:00:00), before the window; a3 starts in the window's last nanosecond's second.
        assertEquals(List.of(a2, b1, a3), paths(s));
        assertEquals(List.of(xz.toString()), s.unreadable());
        assertEquals(true, s.files().get(2).gzip());

        TimeWindow before = new TimeWindow(nanos("2026-12-01T10:02:00Z"), nanos("2026-12-01T10:05:00Z"));
        assertEquals(List.of(a2, b1), paths(select(List.of(dir), Set.of("web"), before, 86_400)),
                "a file starting at the window's end is out");
        assertEquals(List.of(b1), paths(select(List.of(dir.resolve("b")), Set.of(), w, 60)), "b1 started 30 s before the window");
        assertEquals(List.of(), select(List.of(dir.resolve("b")), Set.of(), w, 10).files(),
                "started further back than the lookback");
        assertEquals(4, select(List.of(dir), Set.of(), w, 86_400).files().size(), "every session: db too");
    }
}
