package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** A real full file system (a small tmpfs): drops are counted, no partial record, writing resumes. */
class DiskFullTest {
    @TempDir
    Path dir;
    private Tmpfs tmpfs;
    private Path mount;

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    private void mountTmpfs(String size) throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("small"), size);
        mount = tmpfs.path();
    }

    /** Direct I/O (tmpfs takes O_DIRECT on Linux ≥ 6.6; elsewhere AUTO falls back) and buffered writes. */
    @ParameterizedTest
    @EnumSource(value = WriteMode.Choice.class, names = {"AUTO", "BUFFERED"})
    void aFullDiskIsCountedAsWriteErrorsAndWritingResumesWhenSpaceReturns(WriteMode.Choice choice) throws Exception {
        mountTmpfs("512k");
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[256 << 10]);
        WriterHarness h = new WriterHarness(mount, new RotationPolicy(0, 0, 0), new Retention(0, 0),
                java.util.Optional.empty(), Precision.NANO, choice, 8 << 20, 256 << 10, 1000).start();
        SessionOutput s = h.session("s", 0);

        int sent = 0;
        long ts = 1_800_000_000_000_000_000L;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.writeErrors() == 0 && System.nanoTime() < deadline) {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                frames.add(Frames.sized(1000, sent + i));
            }
            long[] times = new long[20];
            for (int i = 0; i < 20; i++) {
                times[i] = ts++;
            }
            h.write(s, times, frames);
            sent += 20;
            Thread.sleep(5);
        }
        assertTrue(s.writeErrors() > 0, "the disk never filled up");
        assertTrue(h.writer.failing());

        Files.delete(filler);
        long beforeRecovery = s.packetsWritten();
        deadline = System.nanoTime() + 10_000_000_000L;
        while (s.packetsWritten() == beforeRecovery && System.nanoTime() < deadline) {
            h.write(s, new long[] {ts++}, List.of(Frames.sized(1000, sent)));
            sent++;
            Thread.sleep(50);
        }
        assertTrue(s.packetsWritten() > beforeRecovery, "writing never resumed");
        h.stop();

        assertEquals(sent, s.packetsWritten() + s.writeErrors(), "every packet is written or counted");
        long inFiles = 0;
        try (var files = Files.list(mount.resolve("s"))) {
            for (Path f : files.toList()) {
                assertTrue(f.toString().endsWith(".pcap"), "no .part left: " + f);
                inFiles += Libpcap.read(f).size();
            }
        }
        assertEquals(s.packetsWritten(), inFiles, "the files hold exactly the written packets, no partial record");
    }

    @ParameterizedTest
    @EnumSource(value = WriteMode.Choice.class, names = {"AUTO", "BUFFERED"})
    void aReadOnlyFileSystemIsCountedAndWritingResumesWhenItIsWritableAgain(WriteMode.Choice choice) throws Exception {
        mountTmpfs("4m");
        WriterHarness h = new WriterHarness(mount, new RotationPolicy(0, 0, 2), new Retention(0, 0),
                java.util.Optional.empty(), Precision.NANO, choice, 8 << 20, 256 << 10, 1000).start();
        SessionOutput s = h.session("s", 0);
        long ts = 1_800_000_000_000_000_000L;
        h.write(s, new long[] {ts++, ts++}, List.of(Frames.sized(100, 1), Frames.sized(100, 2)));
        waitFor(() -> s.filesFinished() == 1);
        tmpfs.readOnly(true);
        try {
            h.write(s, new long[] {ts++}, List.of(Frames.sized(100, 3)));
            waitFor(() -> s.writeErrors() == 1);
            assertTrue(h.writer.failing());
        } finally {
            tmpfs.readOnly(false);
        }
        Thread.sleep(1100); // the writer retries about once a second
        h.write(s, new long[] {ts++, ts++}, List.of(Frames.sized(100, 4), Frames.sized(100, 5)));
        waitFor(() -> s.packetsWritten() == 4);
        h.stop();
        assertEquals(1, s.writeErrors());
        assertTrue(!h.writer.failing());
        try (var files = Files.list(mount.resolve("s"))) {
            assertEquals(2, files.filter(f -> f.toString().endsWith(".pcap")).count());
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(condition.getAsBoolean(), "condition not met within 10 s");
    }
}
