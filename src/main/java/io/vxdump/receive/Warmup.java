package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.filter.SessionFilter;
import io.vxdump.filter.SourceAllowList;
import io.vxdump.pcap.FileFinisher;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.pcap.WriteMode;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs synthetic traffic through the real code before the real port is bound, so the JIT has
 * compiled it when the first burst arrives (a cold path loses most of a burst that starts the
 * moment the port opens, and compiles on the receive core while traffic flows). Two rounds:
 * datagrams handed straight to a {@link DatagramProcessor}, then datagrams sent over loopback to
 * a throwaway socket on the receive threads, so Netty's recvmmsg path is compiled too. A scratch
 * writer drains both into a hidden scratch directory with the real write mode, so the writer's
 * merge, copy and direct writes are compiled as well; the directory is deleted afterwards. None
 * of the daemon's sessions, counters or files is touched.
 */
public final class Warmup {
    /** Datagrams of each round: enough for C2 to compile the path and its callees. */
    static final int DATAGRAMS = 60_000;
    /**
     * Every this many datagrams, one for a VNI not seen before: a session is made, the lookup
     * misses and the writer meets a new output all through the warm-up, not only at its start, so
     * C2 compiles those branches instead of trapping on the first real new session (a deopt and a
     * recompile on the receive core while the first burst arrives; seen in -XX:+LogCompilation).
     */
    static final int NEW_VNI_EVERY = 2048;
    /** Sessions the warm-up may make: the fresh VNIs of both rounds and the fixed ones. */
    private static final int MAX_SESSIONS = 2 * DATAGRAMS / NEW_VNI_EVERY + 16;
    private static final int FIRST_FRESH_VNI = 1_000;
    private static final long MAX_NANOS = 3_000_000_000L;

    private Warmup() {
    }

    /**
     * Warms the packet and write paths, writing into {@code scratch} (made, then deleted: this
     * instance's own, so that two instances on one output never delete each other's); {@code filter} is a filter the daemon uses (so its rule
     * walk is compiled too), {@code allow} its source list or null. Returns how many datagrams went
     * through.
     */
    public static long run(Path scratch, WriteMode mode, SessionFilter filter, SessionFilter unknownFilter,
                           SourceAllowList allow, Receiver receiver, boolean geneve) throws IOException, InterruptedException {
        deleteTree(scratch);
        io.vxdump.pcap.FileModes.createDirectories(scratch);
        // Files of a few blocks, one kept per session (at most ~4 MiB each on the output's disk):
        // blocks fill and are written whole, as under load, and files rotate.
        OutputSettings settings = new OutputSettings(scratch, Precision.MICRO, new RotationPolicy(4 << 20, 0, 0),
                new Retention(1, 0), Optional.empty());
        List<Session> sessions = new ArrayList<>();
        sessions.add(new Session(100, "kept", 0, SessionFilter.KEEP_ALL, new SessionOutput("kept", 0, settings), 1));
        sessions.add(new Session(101, "filtered", 0, filter, new SessionOutput("filtered", 0, settings), 1));
        // Like the daemon's table: sessions for unknown VNIs are made (up to a limit) with the
        // daemon's filter for them, so the JIT sees the branches the real traffic takes.
        SessionTable table = new SessionTable(sessions,
                vni -> new Session(vni, "vni-" + vni, 0, unknownFilter, new SessionOutput("vni-" + vni, 0, settings), 1),
                MAX_SESSIONS, 1, allow);
        // Elastic like the daemon's, with a small base: the producer outruns the writer and goes
        // into the reserve and back, so those branches are compiled before real traffic takes them.
        StagingRing direct = StagingRing.elastic(256 << 10, 4 << 20);
        StagingRing socket = StagingRing.elastic(256 << 10, 4 << 20);
        FileFinisher finisher = new FileFinisher(settings);
        PcapWriter writer = new PcapWriter(0, new StagingRing[] {direct, socket}, table.outputs(),
                finisher, settings, mode, 8 << 20, 256 << 10, 64).quiet()
                .tap(new io.vxdump.live.LiveTap()); // the daemon's writers' kind of tap: the same type profile
        writer.start();
        WriterWakeup[] wakeups = {writer.wakeup()};
        List<byte[]> payloads = new ArrayList<>(List.of(datagram(100, 128, 6), datagram(101, 1400, 6),
                datagram(100, 300, 17), datagram(101, 90, 17), datagram(100, 1400, 17)));
        for (int vni = 7; vni < 15; vni++) {
            payloads.add(datagram(vni, vni % 2 == 0 ? 128 : 1400, 6));
        }
        byte[] fresh = datagram(FIRST_FRESH_VNI, 600, 17); // its VNI changes each time it is sent
        long done = 0;
        try {
            // The socket round's ring has no producer yet: without this its watermark (0) would hold
            // every record of the direct round back, and the writer would wait instead of writing.
            socket.advanceWatermark(Long.MAX_VALUE);
            DatagramProcessor first = new DatagramProcessor(0, table, new StagingRing[] {direct}, wakeups);
            done += handDirectly(first, payloads, fresh, geneve);
            first.close();
            DatagramProcessor second = new DatagramProcessor(0, table, new StagingRing[] {socket}, wakeups);
            done += receiver.warmUp(second, payloads, fresh, NEW_VNI_EVERY, DATAGRAMS);
            second.close();
        } finally {
            socket.close();
            direct.close();
            writer.drainAndStop();
            finisher.shutdown();
            deleteTree(scratch);
        }
        return done;
    }

    /** With {@code geneve}, every other datagram also comes as a GWLB sends it, for a GENEVE listener. */
    private static long handDirectly(DatagramProcessor p, List<byte[]> payloads, byte[] fresh, boolean geneve) {
        ByteBuf[] datagrams = payloads.stream().map(b -> Unpooled.directBuffer(b.length).writeBytes(b))
                .toArray(ByteBuf[]::new);
        ByteBuf[] wrapped = payloads.stream().map(Warmup::gwlb).map(b -> Unpooled.directBuffer(b.length).writeBytes(b))
                .toArray(ByteBuf[]::new);
        ByteBuf freshBuf = Unpooled.directBuffer(fresh.length).writeBytes(fresh);
        InetAddress sender = InetAddress.getLoopbackAddress();
        long start = System.nanoTime();
        int n = 0;
        int nextFresh = FIRST_FRESH_VNI;
        while (n < DATAGRAMS && System.nanoTime() - start < MAX_NANOS) {
            if (n % NEW_VNI_EVERY == NEW_VNI_EVERY - 1) {
                freshBuf.setMedium(4, nextFresh++);
                p.process(freshBuf, freshBuf.readerIndex(), freshBuf.readableBytes(), sender);
            } else if (geneve && (n & 1) == 1) {
                ByteBuf g = wrapped[n % wrapped.length];
                p.processGeneve(g, g.readerIndex(), g.readableBytes(), sender);
            } else {
                ByteBuf d = datagrams[n % datagrams.length];
                p.process(d, d.readerIndex(), d.readableBytes(), sender);
            }
            if ((++n & 1023) == 0) {
                p.tick();
            }
        }
        freshBuf.release();
        for (ByteBuf d : datagrams) {
            d.release();
        }
        for (ByteBuf d : wrapped) {
            d.release();
        }
        return n;
    }

    /** The first VNI the socket round makes fresh sessions from (after the direct round's). */
    static int socketRoundFirstVni() {
        return FIRST_FRESH_VNI + DATAGRAMS / NEW_VNI_EVERY + 1;
    }

    /** A VXLAN datagram as a GWLB hands it on: GENEVE (AWS-sized options), IPv4, UDP to 4789. */
    private static byte[] gwlb(byte[] vxlan) {
        ByteBuf b = Unpooled.buffer(8 + 24 + 20 + 8 + vxlan.length);
        b.writeByte(6).writeByte(0).writeShort(0x0800).writeMedium(1).writeByte(0).writeZero(24);
        b.writeByte(0x45).writeByte(0).writeShort(20 + 8 + vxlan.length).writeShort(1).writeShort(0x4000);
        b.writeByte(64).writeByte(17).writeShort(0).writeInt(0x0a000001).writeInt(0x0a000002);
        b.writeShort(49152).writeShort(4789).writeShort(8 + vxlan.length).writeShort(0);
        b.writeBytes(vxlan);
        return b.array();
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** VXLAN + Ethernet + IPv4 + TCP or UDP, {@code frameLength} bytes of frame. */
    private static byte[] datagram(int vni, int frameLength, int protocol) {
        ByteBuf b = Unpooled.buffer(8 + frameLength);
        b.writeByte(0x08).writeMedium(0).writeMedium(vni).writeByte(0);
        b.writeBytes(new byte[] {2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0, 0, 0x0a}).writeShort(0x0800);
        int ipLength = frameLength - 14;
        b.writeByte(0x45).writeByte(0).writeShort(ipLength).writeShort(1).writeShort(0x4000);
        b.writeByte(64).writeByte(protocol).writeShort(0);
        b.writeInt(0x0a000001).writeInt(0x0a000002);
        b.writeShort(40000).writeShort(443);
        b.writeZero(8 + frameLength - b.writerIndex());
        return b.array();
    }
}
