package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.LoopFs;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Tshark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The writer on real file systems: direct I/O on a loop-mounted ext4 image, buffered writes where
 * the file system refuses direct I/O (ramfs). Files are checked byte for byte through libpcap and
 * read by tshark, across block boundaries, blocks lent between sessions and descriptors closed
 * and reopened for the budget.
 */
class DirectIoWriterTest {
    private static final long T0 = 1_800_000_000_000_000_000L;

    @TempDir
    Path dir;
    private LoopFs fs;

    @AfterEach
    void unmount() throws Exception {
        if (fs != null) {
            fs.close();
        }
    }

    /** Sends {@code perSession} frames of random sizes to each session, interleaved; returns them per session. */
    private static List<List<byte[]>> interleave(WriterHarness h, List<SessionOutput> sessions, int perSession, long seed) {
        Random random = new Random(seed);
        List<List<byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            sent.add(new ArrayList<>());
        }
        long ts = T0;
        for (int n = 0; n < perSession; n++) {
            for (int i = 0; i < sessions.size(); i++) {
                byte[] f = Frames.sized(60 + random.nextInt(random.nextInt(10) == 0 ? 8900 : 1400), n * 7 + i);
                h.write(sessions.get(i), ts, f, f.length, f.length);
                ts += 1000;
                sent.get(i).add(f);
            }
        }
        return sent;
    }

    /** Every file of {@code session}, in name order, read by libpcap: exactly {@code expected}, in order. */
    private static void assertFilesHold(Path sessionDir, List<byte[]> expected) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(sessionDir)) {
            files = s.sorted().toList();
        }
        List<PcapRecord> records = new ArrayList<>();
        for (Path f : files) {
            assertTrue(f.toString().endsWith(".pcap"), "only finished files: " + f);
            List<PcapRecord> inFile = Libpcap.read(f);
            assertEquals(inFile.size(), Tshark.frames(f).size(), "tshark reads " + f + " whole");
            records.addAll(inFile);
        }
        assertEquals(expected.size(), records.size(), "records in " + sessionDir);
        long previous = 0;
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), records.get(i).data(), "record " + i + " of " + sessionDir);
            assertTrue(records.get(i).timestampNanos() >= previous, "time order");
            previous = records.get(i).timestampNanos();
        }
    }

    @Test
    void directIoOnABlockFileSystemWritesByteExactFilesWhileBlocksPassBetweenSessions() throws Exception {
        fs = LoopFs.ext4(dir, 128);
        Path out = fs.path().resolve("out");
        // 64 KiB blocks, memory for two: three sessions take turns, so partial blocks are written,
        // padded, given away and continued from their kept tails.
        WriterHarness h = new WriterHarness(out, new RotationPolicy(3 << 20, 0, 0), new Retention(0, 0),
                Optional.empty(), Precision.NANO, WriteMode.Choice.DIRECT, 2 * (128 << 10), 64 << 10, 100).start();
        assertTrue(h.mode.direct(), h.mode.reason());
        List<SessionOutput> sessions = List.of(h.session("a", 0), h.session("b", 0), h.session("c", 0));
        List<List<byte[]>> sent = interleave(h, sessions, 3000, 1);
        h.stop();
        for (int i = 0; i < sessions.size(); i++) {
            assertFilesHold(out.resolve(sessions.get(i).session()), sent.get(i));
            assertEquals(3000, sessions.get(i).packetsWritten());
            assertEquals(0, sessions.get(i).writeErrors());
        }
        try (Stream<Path> files = Files.list(out.resolve("a"))) {
            assertTrue(files.count() > 1, "rotated by size");
        }
    }

    @Test
    void runsOfBlocksAreWrittenWholeAndGivenUpWhenOtherSessionsNeedBlocks() throws Exception {
        fs = LoopFs.ext4(dir, 128);
        Path out = fs.path().resolve("out");
        // 64 KiB blocks, memory for 16, runs of up to 8: one session alone fills runs; five
        // sessions exhaust the pool, so the fullest run is written early for the next taker.
        WriterHarness h = new WriterHarness(out, new RotationPolicy(5 << 20, 0, 0), new Retention(0, 0),
                Optional.empty(), Precision.NANO, WriteMode.Choice.DIRECT, 16 * (128 << 10), 64 << 10, 100).start();
        assertTrue(h.mode.direct(), h.mode.reason());
        assertTrue(h.writer.describe().contains("up to 8 a write"), h.writer.describe());
        SessionOutput alone = h.session("alone", 0);
        List<List<byte[]>> first = interleave(h, List.of(alone), 6000, 1);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alone.packetsWritten() < 4000 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long writes = Math.max(1, h.writer.writesIssued());
        long bytes = h.writer.bytesIssued();
        List<SessionOutput> sessions = List.of(h.session("a", 0), h.session("b", 0), h.session("c", 0),
                h.session("d", 0), h.session("e", 0));
        List<List<byte[]>> sent = interleave(h, sessions, 3000, 1);
        h.stop();
        assertFilesHold(out.resolve("alone"), first.get(0));
        assertEquals(6000, alone.packetsWritten());
        assertTrue(bytes / writes > 4 * (64 << 10), "alone, writes carry runs: " + bytes / writes + " B on average");
        for (int i = 0; i < sessions.size(); i++) {
            assertFilesHold(out.resolve(sessions.get(i).session()), sent.get(i));
            assertEquals(3000, sessions.get(i).packetsWritten());
            assertEquals(0, sessions.get(i).writeErrors());
        }
    }

    @Test
    void moreSessionsThanTheDescriptorBudgetCloseAndReopenTheirFiles() throws Exception {
        fs = LoopFs.ext4(dir, 128);
        Path out = fs.path().resolve("out");
        WriterHarness h = new WriterHarness(out, new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty(),
                Precision.MICRO, WriteMode.Choice.AUTO, 4 << 20, 64 << 10, 4).start();
        List<SessionOutput> sessions = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            sessions.add(h.session("s" + i, 0));
        }
        List<List<byte[]>> sent = interleave(h, sessions, 60, 2);
        Thread.sleep(200);
        assertTrue(h.writer.openFiles() <= 4, "open files: " + h.writer.openFiles());
        assertTrue(h.writer.filesReopened() > 0);
        h.stop();
        for (int i = 0; i < sessions.size(); i++) {
            assertFilesHold(out.resolve("s" + i), sent.get(i));
        }
    }

    @Test
    void aFileSystemWithoutDirectIoGetsBufferedWritesAndSaysSo() throws Exception {
        fs = LoopFs.ramfs(dir.resolve("ram"));
        WriteMode mode = WriteMode.probe(fs.path(), WriteMode.Choice.AUTO);
        assertFalse(mode.direct());
        assertTrue(mode.reason().startsWith("buffered I/O (the file system refused direct I/O"), mode.reason());
        IOException refused = assertThrows(IOException.class, () -> WriteMode.probe(fs.path(), WriteMode.Choice.DIRECT));
        assertTrue(refused.getMessage().startsWith("direct I/O is not possible in " + fs.path()), refused.getMessage());

        Path out = fs.path().resolve("out");
        WriterHarness h = new WriterHarness(out, new RotationPolicy(1 << 20, 0, 0), new Retention(0, 0), Optional.empty(),
                Precision.NANO, WriteMode.Choice.AUTO, 2 * (128 << 10), 64 << 10, 100).start();
        assertFalse(h.mode.direct());
        List<SessionOutput> sessions = List.of(h.session("a", 0), h.session("b", 0), h.session("c", 0));
        List<List<byte[]>> sent = interleave(h, sessions, 1500, 3);
        h.stop();
        for (int i = 0; i < sessions.size(); i++) {
            assertFilesHold(out.resolve(sessions.get(i).session()), sent.get(i));
        }
    }

    @Test
    void aQuietSessionsRecordsReachTheFileWithinASecond() throws Exception {
        fs = LoopFs.ext4(dir, 64);
        Path out = fs.path().resolve("out");
        WriterHarness h = new WriterHarness(out, new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty(),
                Precision.NANO, WriteMode.Choice.DIRECT, 4 << 20, 256 << 10, 100).start();
        SessionOutput s = h.session("quiet", 0);
        byte[] f = Frames.sized(300, 1);
        h.write(s, T0, f, f.length, f.length);
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (s.packetsWritten() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(1, s.packetsWritten(), "written within a second, while the file stays open");
        try (Stream<Path> files = Files.list(out.resolve("quiet"))) {
            Path part = files.findFirst().orElseThrow();
            assertTrue(part.toString().endsWith(".pcap.part"));
            assertEquals(h.mode.alignment(), Files.size(part), "one direct-I/O block, padded");
            assertEquals(24 + 16 + 300, PartFileRecovery.wholeRecordsEnd(part), "the padding is not a record");
        }
        h.stop();
    }
}
