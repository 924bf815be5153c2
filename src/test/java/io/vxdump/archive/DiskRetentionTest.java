package io.vxdump.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention across sessions on a real file system: oldest first, the newest of each session kept. */
class DiskRetentionTest {
    private static final int KIB = 1024;

    @TempDir
    Path dir;
    private Tmpfs tmpfs;

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    /** A finished file of session {@code s}, instance "i1", first packet at {@code stamp}. */
    private static Path file(Path out, String s, String stamp, int seq, int bytes) throws Exception {
        Path d = Files.createDirectories(out.resolve(s));
        return Files.write(d.resolve(s + "-i1-" + stamp + "-" + String.format("%06d", seq) + ".pcap"), new byte[bytes]);
    }

    private static DiskRetention retention(Path out, StorageLimits limits) {
        return new DiskRetention(out, session -> session + "-i1", limits);
    }

    @Test
    void theTotalLimitDeletesTheOldestOfAnySessionAndKeepsEachSessionsNewest() throws Exception {
        Path out = dir.resolve("out");
        Path a1 = file(out, "a", "20261124T100000Z", 1, 100 * KIB);
        Path b1 = file(out, "b", "20261124T100001Z", 1, 100 * KIB);
        Path a2 = file(out, "a", "20261124T100002Z", 2, 100 * KIB);
        Path b2 = file(out, "b", "20261124T100003Z", 2, 100 * KIB);
        Path a3 = file(out, "a", "20261124T100004Z", 3, 100 * KIB);
        Path other = Files.write(out.resolve("a").resolve("a-i2-20261124T090000Z-000001.pcap"), new byte[500 * KIB]);
        Path part = Files.write(out.resolve("a").resolve("a-i1-20261124T100005Z-000004.pcap.part"), new byte[500 * KIB]);
        Path notOurs = Files.write(out.resolve("a").resolve("notes.txt"), new byte[10]);

        DiskRetention r = retention(out, new StorageLimits(0, 0, 250 * KIB));
        r.start();
        try {
            assertFalse(Files.exists(a1), "oldest first");
            assertFalse(Files.exists(b1));
            assertFalse(Files.exists(a2));
            assertTrue(Files.exists(b2), "the newest file of b stays");
            assertTrue(Files.exists(a3), "the newest file of a stays");
            assertEquals(3, r.deletedForTotal());
            assertEquals(200 * KIB, r.keptBytes());
            assertEquals(2, r.keptFiles());
            assertTrue(Files.exists(other) && Files.exists(part) && Files.exists(notOurs),
                    "another instance's file, a file being written and foreign files are never touched");

            // Both sessions are down to their newest file: over the limit, yet nothing more goes.
            Path b3 = file(out, "b", "20261124T100006Z", 3, 200 * KIB);
            r.finished(out.resolve("b"), "b-i1");
            waitFor(() -> !Files.exists(b2));
            assertTrue(Files.exists(a3) && Files.exists(b3));
            assertEquals(4, r.deletedForTotal());
        } finally {
            r.stop();
        }
    }

    @Test
    void theFloorDeletesOldestFilesUntilTheFileSystemHasThatMuchFree() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "4m");
        Path out = tmpfs.path();
        for (int i = 0; i < 12; i++) { // 3 MiB of 4
            file(out, "s" + i % 3, String.format("20261124T1000%02dZ", i), 1 + i / 3, 256 * KIB);
        }
        DiskRetention r = retention(out, new StorageLimits(0, 50, 0));
        r.start();
        try {
            long free = Files.getFileStore(out).getUsableSpace();
            assertTrue(free >= 2 << 20, "half of 4 MiB free: " + free);
            assertTrue(free < (2 << 20) + 256 * KIB, "and no more deleted than needed: " + free);
            assertEquals(4, r.deletedForFloor(), "1 MiB more was needed: four files");
            for (int i = 0; i < 12; i++) {
                String s = "s" + i % 3;
                assertEquals(i >= 4, Files.exists(out.resolve(s).resolve(s + String.format("-i1-20261124T1000%02dZ-%06d.pcap", i, 1 + i / 3))),
                        "the four oldest went, the rest stayed: " + i);
            }
            // The disk fills again between checks: the periodic check makes room without being told.
            Files.write(out.resolve("filler"), new byte[512 * KIB]);
            waitFor(() -> r.deletedForFloor() == 6);
            assertTrue(Files.getFileStore(out).getUsableSpace() >= 2 << 20);
        } finally {
            r.stop();
        }
    }

    @Test
    void noLimitsDeleteNothing() throws Exception {
        Path out = dir.resolve("out");
        for (int i = 0; i < 5; i++) {
            file(out, "a", "20261124T10000" + i + "Z", i + 1, 10 * KIB);
        }
        DiskRetention r = retention(out, StorageLimits.NONE);
        r.start();
        r.finished(out.resolve("a"), "a-i1");
        try (Stream<Path> files = Files.list(out.resolve("a"))) {
            assertEquals(5, files.count());
        }
        assertEquals(5, r.keptFiles());
        assertEquals(List.of(0L, 0L), List.of(r.deletedForFloor(), r.deletedForTotal()));
        r.stop();
    }

    @Test
    void withUploadsOnlyUploadedFilesGoUnlessTheFloorLeavesNoChoice() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "4m");
        Path out = tmpfs.path();
        UploadLedger ledger = new UploadLedger(out);
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 12; i++) { // 3 MiB of 4, the older half uploaded
            Path f = file(out, "s" + i % 3, String.format("20261124T1000%02dZ", i), 1 + i / 3, 256 * KIB);
            files.add(f);
            if (i >= 6) {
                ledger.markUploaded(f);
            }
        }
        // A total of 2.5 MiB: only uploaded files may go for it, oldest first (i = 6, 7).
        DiskRetention r = new DiskRetention(out, session -> session + "-i1", new StorageLimits(0, 0, 2560 * KIB), ledger);
        r.start();
        try {
            assertEquals(2, r.deletedForTotal());
            for (int i = 0; i < 12; i++) {
                assertEquals(i != 6 && i != 7, Files.exists(files.get(i)), "file " + i);
            }
            assertFalse(r.mayDelete(files.get(0)), "per-session retention keeps a file not uploaded");
            assertTrue(r.mayDelete(files.get(8)));
            assertEquals(6, r.index().backlogFiles(), "the six not uploaded wait");

            // A floor of 75 % (1.5 MiB more, six files): the uploaded file that may go first (8; 9, 10
            // and 11 are their sessions' newest), then, with no uploaded file left, the oldest not
            // uploaded (0 to 4), counted apart.
            r.limits(new StorageLimits(0, 75, 0));
            waitFor(() -> r.deletedBeforeUpload() == 5);
            assertEquals(1, r.deletedForFloor(), "file 8: the one uploaded file that may go");
            assertTrue(Files.getFileStore(out).getUsableSpace() >= 3 << 20);
            for (int i = 0; i < 12; i++) {
                assertEquals(i == 5 || i >= 9, Files.exists(files.get(i)), "after the floor, file " + i);
            }
            assertFalse(ledger.uploaded(files.get(8)), "a deleted file's marker goes with it");
        } finally {
            r.stop();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(condition.getAsBoolean(), "in time");
    }
}
