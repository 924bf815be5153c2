package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartFileRecoveryTest {
    @TempDir
    Path dir;

    private static byte[] record(long seconds, byte[] frame) {
        return ByteBuffer.allocate(16 + frame.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) seconds).putInt(5).putInt(frame.length).putInt(frame.length).put(frame).array();
    }

    /** Runs recovery with these settings and waits for the finisher; returns the files handed on. */
    private static int recover(OutputSettings settings) throws Exception {
        FileFinisher finisher = new FileFinisher(settings);
        int handedOn = PartFileRecovery.recover(settings, finisher);
        finisher.shutdown();
        return handedOn;
    }

    private static OutputSettings plain(Path dir) {
        return new OutputSettings(dir, Precision.MICRO, new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());
    }

    private static byte[] header() {
        ByteBuffer h = PcapFormat.fileHeader(Precision.MICRO, 0);
        byte[] b = new byte[h.remaining()];
        h.get(b);
        return b;
    }

    @Test
    void cutsAtTheLastWholeRecordAndFinishesTheFile() throws Exception {
        Path session = Files.createDirectories(dir.resolve("backend"));
        byte[] a = Frames.sized(120, 1);
        byte[] b = Frames.sized(300, 2);
        byte[] c = record(1_800_000_002L, Frames.sized(500, 3));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(header());
        content.write(record(1_800_000_000L, a));
        content.write(record(1_800_000_001L, b));
        content.write(c, 0, 16 + 200); // the crash cut the third record
        Path part = session.resolve("backend-20270115T080000Z-000007.pcap.part");
        Files.write(part, content.toByteArray());

        Path log = dir.resolve("post.log");
        assertEquals(1, recover(new OutputSettings(dir, Precision.MICRO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.of("printf '%s\\n' >> '" + log + "'"))));

        Path finished = session.resolve("backend-20270115T080000Z-000007.pcap");
        assertFalse(Files.exists(part));
        assertEquals(24 + 16 + 120 + 16 + 300, Files.size(finished));
        List<PcapRecord> records = Libpcap.read(finished);
        assertEquals(2, records.size());
        assertArrayEquals(a, records.get(0).data());
        assertArrayEquals(b, records.get(1).data());
        assertEquals(List.of(finished.toString()), Files.readAllLines(log), "post-rotate runs on recovered files too");
    }

    @Test
    void aLeftoverWithoutAWholeRecordIsDeleted() throws Exception {
        Path session = Files.createDirectories(dir.resolve("s"));
        Path headerOnly = session.resolve("s-20270115T080000Z-000001.pcap.part");
        Files.write(headerOnly, header());
        Path partialHeader = session.resolve("s-20270115T080000Z-000002.pcap.part");
        Files.write(partialHeader, new byte[10]);
        assertEquals(0, recover(plain(dir)));
        assertFalse(Files.exists(headerOnly));
        assertFalse(Files.exists(partialHeader));
    }

    @Test
    void aForeignFileIsLeftAlone() throws Exception {
        Path session = Files.createDirectories(dir.resolve("s"));
        Path foreign = session.resolve("s-20270115T080000Z-000009.pcap.part");
        Files.writeString(foreign, "this is not a capture, whatever its name says");
        assertEquals(0, recover(plain(dir)));
        assertTrue(Files.exists(foreign));
    }

    @Test
    void anotherInstancesOpenFileIsNotTouched() throws Exception {
        Path session = Files.createDirectories(dir.resolve("s"));
        Path theirs = session.resolve("s-sensor-b-20270115T080000Z-000001.pcap.part");
        Files.write(theirs, header());
        Path ours = session.resolve("s-sensor-a-20270115T080000Z-000001.pcap.part");
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(header());
        content.write(record(1, Frames.sized(100, 1)));
        Files.write(ours, content.toByteArray());
        assertEquals(1, recover(new OutputSettings(dir, Precision.MICRO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty(), "sensor-a")));
        assertTrue(Files.exists(theirs), "sensor-b may still be writing it");
        assertTrue(Files.exists(session.resolve("s-sensor-a-20270115T080000Z-000001.pcap")));
    }

    @Test
    void aRecordClaimingMoreThanTheSnaplenEndsTheWholeRecords() throws Exception {
        Path session = Files.createDirectories(dir.resolve("s"));
        ByteBuffer h = PcapFormat.fileHeader(Precision.NANO, 128);
        byte[] hb = new byte[24];
        h.get(hb);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.write(hb);
        content.write(record(1, Frames.sized(100, 1)));
        content.write(record(2, Frames.sized(200, 2))); // caplen 200 > snaplen 128: garbage
        Path part = session.resolve("s-20270115T080000Z-000001.pcap.part");
        Files.write(part, content.toByteArray());
        assertEquals(24 + 16 + 100, PartFileRecovery.wholeRecordsEnd(part));
    }
}
