package io.vxdump.receive;

import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.ipv6;
import static io.vxdump.testing.Frames.udp;
import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.filter.SessionFilter;
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
import io.vxdump.testing.Frames;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The ring's frame loop on blocks laid out as the kernel lays them out: which frames are the
 * listener's (its address, not sent by this host), the sender and kernel time each record gets,
 * the true length of a datagram cut to the block, and giving a block back.
 */
class RingBlocksTest {
    private static final int VNI = 42;
    private static final long T = 1_764_000_000_123_456_789L;

    private final StagingRing staging = new StagingRing(1 << 20);
    private final Session session = session();
    private final DatagramProcessor p = new DatagramProcessor(0, new SessionTable(List.of(session), null, 0),
            new StagingRing[] {staging}, new WriterWakeup[] {new WriterWakeup()});
    private final LongCounter received = new LongCounter();
    private final ByteBuf ring = Unpooled.directBuffer(1 << 16, 1 << 16).setZero(0, 1 << 16);

    @Test
    void onlyTheListenersDatagramsAreReadEachWithItsKernelTime() throws Exception {
        RingBlocks blocks = new RingBlocks(ring, InetAddress.getByName("10.0.0.9"), false, received);
        byte[] frame = Frames.sized(200, 1);
        byte[] mine = ipv4(17, "10.0.0.1", "10.0.0.9", udp(5000, 4789, vxlan(VNI, frame)));
        byte[] otherAddress = ipv4(17, "10.0.0.1", "10.0.0.8", udp(5000, 4789, vxlan(VNI, frame)));
        byte[] v6 = ipv6(17, "::1", "::2", udp(5000, 4789, vxlan(VNI, frame)));
        RingBlocks.writeBlock(ring, 0, new byte[][] {mine, mine, otherAddress, v6, mine},
                new long[] {T, T + 1, T + 2, T + 3, T + 7},
                new int[] {RingBlocks.PACKET_HOST, RingBlocks.PACKET_OUTGOING, RingBlocks.PACKET_HOST,
                        RingBlocks.PACKET_HOST, RingBlocks.PACKET_HOST}, 65536);
        assertTrue(blocks.handedOver(0));
        blocks.read(0, p);
        assertEquals(2, received.get(), "the outgoing copy, another address's and IPv6 on an IPv4 listener are skipped");
        for (long t : new long[] {T, T + 7}) {
            assertTrue(staging.hasRecord());
            assertEquals(t, staging.timestamp(), "the frame's kernel time");
            assertEquals(frame.length, staging.caplen());
            byte[] got = new byte[staging.caplen()];
            staging.buffer().getBytes(staging.frameIndex(), got);
            assertArrayEquals(frame, got);
            staging.advance();
        }
        assertFalse(staging.hasRecord());
    }

    @Test
    void aDatagramCutToItsBlockKeepsItsTrueLengthAndMalformedOnesAreDecapErrors() throws Exception {
        RingBlocks blocks = new RingBlocks(ring, InetAddress.getByName("::"), false, received);
        byte[] frame = Frames.sized(3000, 2);
        byte[] longOne = ipv6(17, "::1", "::2", udp(5000, 4789, vxlan(VNI, frame)));
        byte[] mapped = ipv4(17, "10.0.0.1", "10.0.0.9", udp(5000, 4789, vxlan(VNI, Frames.sized(100, 3))));
        byte[] tooShort = java.util.Arrays.copyOf(ipv4(17, "10.0.0.1", "10.0.0.9", udp(5000, 4789, new byte[0])), 24);
        RingBlocks.writeBlock(ring, 0, new byte[][] {longOne, mapped, tooShort}, new long[] {T, T, T},
                new int[] {RingBlocks.PACKET_HOST, RingBlocks.PACKET_HOST, RingBlocks.PACKET_HOST}, 1000);
        assertTrue(blocks.handedOver(0));
        blocks.read(0, p);
        assertEquals(3, received.get(), "a [::] listener takes IPv4 too, as a dual-stack socket does");
        assertEquals(1, p.decapErrors(), "a frame too short for a UDP header");
        assertTrue(staging.hasRecord());
        assertEquals(frame.length, staging.origlen(), "the UDP length says how long the frame was");
        assertEquals(1000 - 40 - 8 - 8, staging.caplen(), "what the block held of it");
        assertEquals(1, session.lane(0).truncated());
    }

    @Test
    void aBlockGivenBackIsTheKernelsAndReadsEmpty() throws Exception {
        RingBlocks blocks = new RingBlocks(ring, InetAddress.getByName("0.0.0.0"), true, received);
        assertFalse(blocks.handedOver(0), "a block the kernel has not handed over");
        RingBlocks.writeBlock(ring, 0, new byte[][] {ipv4(17, "10.0.0.1", "10.0.0.9",
                udp(5000, 6081, Frames.geneve(0, 0x6558, VNI, new byte[0], Frames.sized(100, 4))))},
                new long[] {T}, new int[] {RingBlocks.PACKET_HOST}, 65536);
        assertEquals(1, blocks.packets(0));
        assertTrue(blocks.handedOver(0));
        blocks.read(0, p);
        assertTrue(staging.hasRecord(), "GENEVE on a GENEVE listener");
        blocks.giveBack(0);
        assertFalse(blocks.handedOver(0));
        assertEquals(0, blocks.packets(0), "zeroed, so a block not yet reopened reads empty");
    }

    private static Session session() {
        OutputSettings out = new OutputSettings(Path.of("unused"), Precision.NANO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty());
        return new Session(VNI, "s", 0, SessionFilter.KEEP_ALL, new SessionOutput("s", 0, out), 1);
    }
}
