package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Tshark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    private static final long T0 = Instant.parse("2026-11-23T12:00:10.123456789Z").getEpochSecond() * 1_000_000_000L
            + 123_456_789L;
    private static final RotationPolicy NO_ROTATION = new RotationPolicy(0, 0, 0);

    @TempDir
    Path dir;

    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static List<byte[]> frames(int n, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Frames.sized(size, i));
        }
        return out;
    }

    private static long[] timestamps(int n, long start, long step) {
        long[] ts = new long[n];
        for (int i = 0; i < n; i++) {
            ts[i] = start + i * step;
        }
        return ts;
    }

    @Test
    void framesTimestampsAndLengthsReadBackByLibpcapAndTshark() throws Exception {
        WriterHarness h = new WriterHarness(dir, NO_ROTATION).start();
        SessionOutput s = h.session("web-proxy", 0);
        byte[] whole = Frames.sized(200, 1);
        byte[] truncatedFull = Frames.sized(1400, 2);
        h.write(s, T0, whole, whole.length, whole.length);
        h.write(s, T0 + 1_000_001, truncatedFull, 100, truncatedFull.length);
        h.stop();

        List<Path> files = files(dir.resolve("web-proxy"));
        assertEquals(1, files.size());
        Path f = files.get(0);
        assertEquals("web-proxy-20261123T120010Z-000001.pcap", f.getFileName().toString());

        List<PcapRecord> records = Libpcap.read(f);
        assertEquals(2, records.size());
        assertEquals(new PcapRecord(T0, 200, 200, whole), records.get(0));
        assertEquals(new PcapRecord(T0 + 1_000_001, 100, 1400, Frames.cut(truncatedFull, 100)), records.get(1));
        assertEquals(1, Libpcap.linkType(f));

        List<String[]> rows = Tshark.frames(f);
        assertEquals("200", rows.get(0)[0]);
        assertEquals("200", rows.get(0)[1]);
        assertEquals("1400", rows.get(1)[0]);
        assertEquals("100", rows.get(1)[1]);
        assertTrue(rows.get(0)[2].startsWith("1795435210.123456789"), rows.get(0)[2]);
        String info = Tshark.capinfos(f);
        assertTrue(info.matches("(?s).*File type: +nsecpcap\n.*"), info);
        assertTrue(info.matches("(?s).*Number of packets: +2\n.*"), info);
        assertEquals(2, s.packetsWritten());
        assertEquals(Files.size(f), s.bytesWritten());
        assertEquals(1, s.filesFinished());
    }

    @Test
    void microsecondFilesCutTheTimestampToMicroseconds() throws Exception {
        WriterHarness h = new WriterHarness(dir, NO_ROTATION, new Retention(0, 0), Optional.empty(), Precision.MICRO).start();
        SessionOutput s = h.session("s", 96);
        byte[] frame = Frames.sized(500, 3);
        h.write(s, T0, frame, 96, 500);
        h.stop();
        Path f = files(dir.resolve("s")).get(0);
        PcapRecord r = Libpcap.read(f).get(0);
        assertEquals(T0 / 1000 * 1000, r.timestampNanos());
        assertEquals(96, r.caplen());
        assertEquals(500, r.origlen());
        String info = Tshark.capinfos(f);
        assertTrue(info.matches("(?s).*File type: +pcap\n.*"), info);
        assertTrue(info.contains("file hdr: 96 bytes"), info);
    }

    @Test
    void rotatesBySizeBetweenRecordsOfOneBuffer() throws Exception {
        int record = 16 + 100;
        long maxSize = 24 + 3L * record;
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(maxSize, 0, 0)).start();
        SessionOutput s = h.session("s", 0);
        List<byte[]> frames = frames(10, 100);
        h.write(s, timestamps(10, T0, 1_000_000_000L), frames);
        h.stop();

        List<Path> files = files(dir.resolve("s"));
        assertEquals(4, files.size(), files.toString());
        int next = 0;
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            assertTrue(Files.size(f) <= maxSize);
            assertTrue(f.getFileName().toString().endsWith(String.format("-%06d.pcap", i + 1)), f.toString());
            for (PcapRecord r : Libpcap.read(f)) {
                assertArrayEquals(frames.get(next++), r.data());
            }
        }
        assertEquals(10, next);
        assertTrue(files.get(1).getFileName().toString().contains("T120013Z"), "named after its first packet");
    }

    @Test
    void aRecordLargerThanTheSizeLimitStillGetsAFile() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(100, 0, 0)).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, timestamps(2, T0, 1), frames(2, 500));
        h.stop();
        List<Path> files = files(dir.resolve("s"));
        assertEquals(2, files.size());
        assertEquals(1, Libpcap.read(files.get(0)).size());
    }

    @Test
    void rotatesByPacketCount() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 0, 3)).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, timestamps(4, T0, 1), frames(4, 80));
        h.write(s, timestamps(3, T0 + 10, 1), frames(3, 80));
        h.stop();
        List<Integer> counts = new ArrayList<>();
        for (Path f : files(dir.resolve("s"))) {
            counts.add(Libpcap.read(f).size());
        }
        assertEquals(List.of(3, 3, 1), counts);
    }

    @Test
    void rotatesAtAlignedIntervalBoundaries() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 60_000_000_000L, 0)).start();
        SessionOutput s = h.session("s", 0);
        long t = Instant.parse("2026-11-23T12:00:10Z").getEpochSecond() * 1_000_000_000L;
        long[] ts = {t, t + 40_000_000_000L, t + 50_000_000_000L, t + 50_000_000_001L, t + 169_000_000_000L};
        h.write(s, ts, frames(5, 80));
        h.stop();
        List<Path> files = files(dir.resolve("s"));
        assertEquals(3, files.size(), files.toString());
        assertTrue(files.get(0).toString().contains("T120010Z"));
        assertEquals(2, Libpcap.read(files.get(0)).size());
        assertTrue(files.get(1).toString().contains("T120100Z"), "12:01:00 begins a new file");
        assertEquals(2, Libpcap.read(files.get(1)).size());
        assertTrue(files.get(2).toString().contains("T120259Z"));
    }

    @Test
    void anIdleSessionsFileIsFinishedWhenItsIntervalEnds() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 1_000_000_000L, 0)).start();
        SessionOutput s = h.session("quiet", 0);
        Instant now = Instant.now();
        h.write(s, now.getEpochSecond() * 1_000_000_000L + now.getNano(), Frames.sized(100, 1), 100, 100);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (s.filesFinished() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, s.filesFinished(), "finished without another packet and without a stop");
        assertTrue(files(dir.resolve("quiet")).get(0).toString().endsWith(".pcap"));
        h.stop();
    }

    @Test
    void sequenceNumbersContinueAfterARestart() throws Exception {
        Path sessionDir = Files.createDirectories(dir.resolve("s"));
        Files.write(sessionDir.resolve("s-20261123T110000Z-000041.pcap.gz"), new byte[] {1});
        WriterHarness h = new WriterHarness(dir, NO_ROTATION).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, T0, Frames.sized(100, 1), 100, 100);
        h.stop();
        assertTrue(Files.exists(sessionDir.resolve("s-20261123T120010Z-000042.pcap")), files(sessionDir).toString());
    }

    @Test
    void retentionKeepsTheNewestFiles() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 0, 1), new Retention(2, 0), Optional.empty(),
                Precision.NANO).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, timestamps(5, T0, 1_000_000_000L), frames(5, 100));
        h.stop();
        List<Path> files = files(dir.resolve("s"));
        assertEquals(2, files.size());
        assertTrue(files.get(0).toString().endsWith("000004.pcap"));
        assertTrue(files.get(1).toString().endsWith("000005.pcap"));
        assertEquals(3, s.filesDeleted());
    }

    @Test
    void retentionByBytesNeverDeletesTheNewestFile() throws Exception {
        long fileSize = 24 + 16 + 100;
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 0, 1), new Retention(0, 2 * fileSize + 1),
                Optional.empty(), Precision.NANO).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, timestamps(4, T0, 1_000_000_000L), frames(4, 100));
        h.stop();
        assertEquals(2, files(dir.resolve("s")).size());

        WriterHarness tiny = new WriterHarness(dir, new RotationPolicy(0, 0, 1), new Retention(0, 10),
                Optional.empty(), Precision.NANO).start();
        SessionOutput t = tiny.session("t", 0);
        tiny.write(t, timestamps(3, T0, 1_000_000_000L), frames(3, 100));
        tiny.stop();
        List<Path> left = files(dir.resolve("t"));
        assertEquals(1, left.size());
        assertTrue(left.get(0).toString().endsWith("000003.pcap"));
    }

    @Test
    void postRotateRunsOnEveryFinishedFileIncludingAtStopAndRetentionSeesItsOutput() throws Exception {
        WriterHarness h = new WriterHarness(dir, new RotationPolicy(0, 0, 2), new Retention(2, 0),
                Optional.of("gzip -9"), Precision.NANO).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, timestamps(5, T0, 1), frames(5, 300)); // 2 + 2 files by count, the last at stop
        h.stop();
        List<Path> files = files(dir.resolve("s"));
        assertEquals(2, files.size(), files.toString());
        for (Path f : files) {
            assertTrue(f.toString().endsWith(".pcap.gz"), f.toString());
        }
        assertTrue(files.get(1).toString().endsWith("000003.pcap.gz"));
        Path unpacked = dir.resolve("last.pcap");
        Files.write(unpacked, new java.util.zip.GZIPInputStream(Files.newInputStream(files.get(1))).readAllBytes());
        assertEquals(1, Libpcap.read(unpacked).size());
    }

    @Test
    void postRotateGetsPathsWithSpacesAsOneArgument() throws Exception {
        Path log = dir.resolve("post.log");
        Path out = dir.resolve("with space");
        WriterHarness h = new WriterHarness(out, NO_ROTATION, new Retention(0, 0),
                Optional.of("printf '%s\\n' >> '" + log + "'"), Precision.NANO).start();
        SessionOutput s = h.session("s", 0);
        h.write(s, T0, Frames.sized(100, 1), 100, 100);
        h.stop();
        assertEquals(List.of(out.resolve("s").resolve("s-20261123T120010Z-000001.pcap").toString()),
                Files.readAllLines(log));
    }
}
