package io.vxdump.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureReaderTest {
    @TempDir
    Path dir;

    static List<CapturedPacket> readAll(Path f) throws Exception {
        List<CapturedPacket> out = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(f)) {
            CapturedPacket p;
            while ((p = r.next()) != null) {
                out.add(p);
            }
        }
        return out;
    }

    @Test
    void readsTheProjectsCapturesLikeLibpcapDoes() throws Exception {
        for (String name : List.of("pcaps/ethernet-mix.pcap", "pcaps/vxlan-mirror.pcap")) {
            List<PcapRecord> expected = Libpcap.read(Path.of(name));
            List<CapturedPacket> got = readAll(Path.of(name));
            assertEquals(expected.size(), got.size(), name);
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(expected.get(i).data(), got.get(i).data());
                assertEquals(expected.get(i).timestampNanos(), got.get(i).timestampNanos());
                assertEquals(1, got.get(i).linkType());
            }
        }
    }

    private static byte[] classic(ByteOrder order, boolean nanos, int linkType, long[] ts, byte[][] frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(order).putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4)
                .putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(linkType).array());
        for (int i = 0; i < frames.length; i++) {
            long unit = nanos ? 1 : 1000;
            out.writeBytes(ByteBuffer.allocate(16).order(order).putInt((int) (ts[i] / 1_000_000_000L))
                    .putInt((int) (ts[i] % 1_000_000_000L / unit)).putInt(frames[i].length).putInt(frames[i].length + 5).array());
            out.writeBytes(frames[i]);
        }
        return out.toByteArray();
    }

    @Test
    void classicPcapInBothByteOrdersAndPrecisions() throws Exception {
        long[] ts = {1_700_000_000_123_456_789L, 1_700_000_001_000_000_001L};
        byte[][] frames = {{1, 2, 3}, new byte[60]};
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (boolean nanos : new boolean[] {true, false}) {
                Path f = dir.resolve("t.pcap");
                Files.write(f, classic(order, nanos, 101, ts, frames));
                List<CapturedPacket> got = readAll(f);
                assertEquals(2, got.size());
                long expectTs = nanos ? ts[0] : ts[0] / 1000 * 1000;
                assertEquals(expectTs, got.get(0).timestampNanos(), order + " nanos=" + nanos);
                assertArrayEquals(frames[0], got.get(0).data());
                assertEquals(8, got.get(0).originalLength());
                assertEquals(101, got.get(1).linkType());
            }
        }
    }

    @Test
    void aTruncatedLastRecordComesAfterTheWholeOnes() throws Exception {
        byte[] whole = classic(ByteOrder.LITTLE_ENDIAN, false, 1, new long[] {0, 0}, new byte[][] {new byte[20], new byte[30]});
        Path f = dir.resolve("cut.pcap");
        Files.write(f, java.util.Arrays.copyOf(whole, whole.length - 7));
        try (CaptureReader r = CaptureReader.open(f)) {
            assertEquals(20, r.next().data().length);
            CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
            assertTrue(e.truncated());
        }
    }

    @Test
    void notACapture() throws Exception {
        Path f = dir.resolve("x.txt");
        Files.writeString(f, "hello, world");
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.open(f));
        assertTrue(e.getMessage().contains("not a capture file"));
        Files.write(f, new byte[2]);
        assertThrows(CaptureFormatException.class, () -> CaptureReader.open(f));
    }

    /** A pcapng file with two interfaces (Ethernet µs, raw IP ns), EPBs, an SPB and a skipped block. */
    static byte[] pcapng(ByteOrder order) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(28).order(order).putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D)
                .putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28).array());
        out.writeBytes(ByteBuffer.allocate(20).order(order).putInt(1).putInt(20).putShort((short) 1).putShort((short) 0)
                .putInt(0).putInt(20).array());
        out.writeBytes(ByteBuffer.allocate(32).order(order).putInt(1).putInt(32).putShort((short) 101).putShort((short) 0)
                .putInt(0).putShort((short) 9).putShort((short) 1).put((byte) 9).put(new byte[3])
                .putShort((short) 0).putShort((short) 0).putInt(32).array());
        out.writeBytes(ByteBuffer.allocate(16).order(order).putInt(0x00000BAD).putInt(16).putInt(0).putInt(16).array());
        long us = 1_700_000_000_000_001L;
        out.writeBytes(ByteBuffer.allocate(40).order(order).putInt(6).putInt(40).putInt(0).putInt((int) (us >>> 32))
                .putInt((int) us).putInt(5).putInt(9).put(new byte[] {1, 2, 3, 4, 5, 0, 0, 0}).putInt(40).array());
        long ns = 1_700_000_000_000_000_007L;
        out.writeBytes(ByteBuffer.allocate(36).order(order).putInt(6).putInt(36).putInt(1).putInt((int) (ns >>> 32))
                .putInt((int) ns).putInt(4).putInt(4).put(new byte[] {0x45, 0, 0, 4}).putInt(36).array());
        out.writeBytes(ByteBuffer.allocate(20).order(order).putInt(3).putInt(20).putInt(3).put(new byte[] {7, 8, 9, 0})
                .putInt(20).array());
        return out.toByteArray();
    }

    @Test
    void pcapngWithSeveralInterfacesAndResolutions() throws Exception {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            Path f = dir.resolve("t.pcapng");
            Files.write(f, pcapng(order));
            List<CapturedPacket> got = readAll(f);
            assertEquals(3, got.size(), order.toString());
            assertEquals(1_700_000_000_000_001_000L, got.get(0).timestampNanos());
            assertEquals(1, got.get(0).linkType());
            assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, got.get(0).data());
            assertEquals(9, got.get(0).originalLength());
            assertEquals(1_700_000_000_000_000_007L, got.get(1).timestampNanos());
            assertEquals(101, got.get(1).linkType());
            assertArrayEquals(new byte[] {7, 8, 9}, got.get(2).data(), "simple packet block");
            assertEquals(got.get(1).timestampNanos(), got.get(2).timestampNanos());
        }
    }

    @Test
    void aCleanEndIsNull() throws Exception {
        Path f = dir.resolve("empty.pcap");
        Files.write(f, classic(ByteOrder.LITTLE_ENDIAN, false, 1, new long[0], new byte[0][]));
        try (CaptureReader r = CaptureReader.open(f)) {
            assertNull(r.next());
        }
    }
}
