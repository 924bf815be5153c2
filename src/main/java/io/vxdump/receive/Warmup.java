package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.filter.SessionFilter;
import io.vxdump.filter.SourceAllowList;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Runs synthetic datagrams through the real packet path before the sockets are bound, so the
 * JIT has compiled it when the first burst arrives (a cold path loses most of a burst that
 * starts the moment the port is open). Everything it touches is thrown away: its own session
 * table and ring, which it drains itself; nothing is written and no counter of the daemon moves.
 */
public final class Warmup {
    /** Enough rounds for C2 to compile the path and its callees. */
    static final int DATAGRAMS = 200_000;
    private static final long MAX_NANOS = 2_000_000_000L;

    private Warmup() {
    }

    /**
     * Runs the warm-up; {@code filter} is a filter the daemon uses (so its rule walk is compiled
     * too), {@code allow} its source list or null. Returns how many datagrams went through.
     */
    public static long run(SessionFilter filter, SourceAllowList allow) {
        OutputSettings nowhere = new OutputSettings(Path.of("/nonexistent-vxdump-warmup"), Precision.MICRO,
                new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());
        Session kept = new Session(100, "warmup", 0, SessionFilter.KEEP_ALL, new SessionOutput("warmup", 0, nowhere), 1);
        Session filtered = new Session(101, "warmup-filtered", 0, filter,
                new SessionOutput("warmup-filtered", 0, nowhere), 1);
        SessionTable table = new SessionTable(List.of(kept, filtered), null, 0);
        StagingRing ring = new StagingRing(1 << 20);
        DatagramProcessor p = new DatagramProcessor(0, table, new StagingRing[] {ring},
                new WriterWakeup[] {new WriterWakeup()}, allow);
        ByteBuf[] datagrams = {datagram(100, 128, 6), datagram(101, 1400, 6), datagram(100, 300, 17),
                datagram(101, 90, 17), datagram(7, 128, 6)};
        InetAddress sender = InetAddress.getLoopbackAddress();
        long start = System.nanoTime();
        int n = 0;
        while (n < DATAGRAMS && System.nanoTime() - start < MAX_NANOS) {
            ByteBuf d = datagrams[n % datagrams.length];
            p.process(d, d.readerIndex(), d.readableBytes(), sender);
            while (ring.hasRecord()) { // the writer's side of the ring, warmed too
                ring.advance();
            }
            ring.release();
            if ((++n & 1023) == 0) {
                p.tick();
            }
        }
        for (ByteBuf d : datagrams) {
            d.release();
        }
        ring.buffer().release();
        return n;
    }

    /** VXLAN + Ethernet + IPv4 + TCP or UDP, {@code frameLength} bytes of frame. */
    private static ByteBuf datagram(int vni, int frameLength, int protocol) {
        ByteBuf b = Unpooled.directBuffer(8 + frameLength);
        b.writeByte(0x08).writeMedium(0).writeMedium(vni).writeByte(0);
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a}).writeShort(0x0800);
        int ipLength = frameLength - 14;
        b.writeByte(0x45).writeByte(0).writeShort(ipLength).writeShort(1).writeShort(0x4000);
        b.writeByte(64).writeByte(protocol).writeShort(0);
        b.writeInt(0x0a000001).writeInt(0x0a000002);
        b.writeShort(40000).writeShort(443);
        b.writeZero(8 + frameLength - b.writerIndex());
        return b;
    }
}
