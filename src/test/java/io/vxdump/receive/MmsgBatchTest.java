package io.vxdump.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.filter.Cidr;
import io.vxdump.filter.SessionFilter;
import io.vxdump.filter.SourceAllowList;
import io.vxdump.metrics.LongCounter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The slot loop reads what the kernel leaves in each slot: the time from SCM_TIMESTAMPNS (kept in
 * order), the real length of a cut datagram, the sender for allow-sources.
 */
class MmsgBatchTest {
    private static final int VNI = 42;

    @Test
    void eachRecordCarriesItsSlotsKernelTimeAndCutDatagramsAreCounted() {
        StagingRing ring = new StagingRing(1 << 20);
        Session session = session();
        DatagramProcessor p = new DatagramProcessor(0, new SessionTable(List.of(session), null, 0),
                new StagingRing[] {ring}, new WriterWakeup[] {new WriterWakeup()});
        LongCounter received = new LongCounter();
        try (MmsgBatch batch = new MmsgBatch(4, 256)) {
            long t = 1_764_000_000_123_456_789L;
            batch.received(0, datagram(100), 108, 0x0A000001, 4000, t);
            batch.received(1, datagram(100), 108, 0x0A000001, 4000, t + 5);
            batch.received(2, datagram(248), 2_000, 0x0A000001, 4000, t + 9); // cut to its 256-byte slot
            batch.received(3, datagram(100), 108, 0x0A000001, 4000, t + 2); // stamped before slot 2
            MmsgSocket.processSlots(batch, 4, p, false, received);
        }
        assertEquals(4, received.get());
        long[] expected = {1_764_000_000_123_456_789L, 1_764_000_000_123_456_794L, 1_764_000_000_123_456_798L,
                1_764_000_000_123_456_798L};
        int[] origlen = {100, 100, 1992, 100};
        for (int i = 0; i < 4; i++) {
            assertTrue(ring.hasRecord());
            assertEquals(expected[i], ring.timestamp(), "record " + i + ": the kernel's time, never stepping back");
            assertEquals(origlen[i], ring.origlen(), "record " + i);
            ring.advance();
        }
        assertEquals(1, session.lane(0).truncated());
    }

    @Test
    void theSenderInTheSlotIsWhatAllowSourcesSees() {
        StagingRing ring = new StagingRing(1 << 20);
        SessionTable table = new SessionTable(List.of(session()), null, 0, 1,
                new SourceAllowList(List.of(Cidr.parse("10.0.0.0/8"))));
        DatagramProcessor p = new DatagramProcessor(0, table, new StagingRing[] {ring},
                new WriterWakeup[] {new WriterWakeup()});
        try (MmsgBatch batch = new MmsgBatch(2, 256)) {
            batch.received(0, datagram(100), 108, 0x0A000001, 4000, 1);   // 10.0.0.1
            batch.received(1, datagram(100), 108, 0xC0A80001, 4000, 2);   // 192.168.0.1
            MmsgSocket.processSlots(batch, 2, p, false, new LongCounter());
        }
        assertEquals(1, p.notAllowed());
        assertTrue(ring.hasRecord());
    }

    private static Session session() {
        OutputSettings out = new OutputSettings(Path.of("unused"), Precision.NANO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty());
        return new Session(VNI, "s", 0, SessionFilter.KEEP_ALL, new SessionOutput("s", 0, out), 1);
    }

    /** A VXLAN datagram carrying an Ethernet/IPv4/UDP frame of {@code frame} bytes. */
    private static byte[] datagram(int frame) {
        ByteBuffer b = ByteBuffer.allocate(8 + frame);
        b.putInt(0x08000000).putInt(VNI << 8);
        b.put(new byte[] {2, 0, 0, 0, 0, 11, 2, 0, 0, 0, 0, 10}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (frame - 14)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(new byte[] {10, 0, 1, 10}).put(new byte[] {10, 0, 2, 1});
        b.putShort((short) 40000).putShort((short) 53).putShort((short) (frame - 34)).putShort((short) 0);
        return b.array();
    }
}
