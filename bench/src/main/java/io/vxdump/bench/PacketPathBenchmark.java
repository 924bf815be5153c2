package io.vxdump.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.filter.SessionFilter;
import io.vxdump.packet.InnerFrame;
import io.vxdump.packet.Vxlan;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The receive thread's work per datagram, without the socket: decap + parse alone, and the whole
 * {@link DatagramProcessor} (decap, parse, session lookup, filter, copy into the staging ring).
 * The ring is emptied in place of the writer, so the figure excludes disk I/O.
 * Run with {@code -prof gc}: the allocation rate per operation must be ~0 B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PacketPathBenchmark {
    @Param({"128", "1400"})
    int frameSize;

    /** Staging ring bytes: the default, and one that stays in the last-level cache. */
    @Param({"67108864", "4194304"})
    int ringSize;

    private ByteBuf datagram;
    private int length;
    private final InnerFrame frame = new InnerFrame();
    private DatagramProcessor processor;
    private StagingRing ring;
    private final java.net.InetAddress sender = java.net.InetAddress.getLoopbackAddress();
    private ByteBuf gwlbDatagram;
    private int gwlbLength;

    @Setup
    public void setUp() {
        byte[] d = vxlanDatagram(5569041, frameSize);
        length = d.length;
        // Direct memory, as Netty's pooled allocator hands datagrams to the handler.
        datagram = Unpooled.directBuffer(length).writeBytes(d);
        byte[] g = gwlb(d);
        gwlbLength = g.length;
        gwlbDatagram = Unpooled.directBuffer(gwlbLength).writeBytes(g);

        OutputSettings out = new OutputSettings(Path.of("unused"), Precision.MICRO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty());
        List<Session> sessions = new ArrayList<>();
        for (int vni : new int[] {100, 200, 5569041, 7, 8, 9}) {
            sessions.add(new Session(vni, "s" + vni, 0, SessionFilter.KEEP_ALL,
                    new SessionOutput("s" + vni, 0, out), 1));
        }
        SessionTable table = new SessionTable(sessions, null, 0);
        ring = new StagingRing(ringSize);
        processor = new DatagramProcessor(0, table, new StagingRing[] {ring}, new WriterWakeup[] {new WriterWakeup()});
    }

    @Benchmark
    public int decapAndParse() {
        int vni = Vxlan.vni(datagram, 0, length);
        frame.wrap(datagram, Vxlan.HEADER_LENGTH, length - Vxlan.HEADER_LENGTH);
        return vni + frame.destinationPort() + frame.originalLength();
    }

    @Benchmark
    public void decapParseStage() {
        processor.process(datagram, 0, length, sender);
        Drain.ring(ring); // stands in for the writer thread
    }

    /** The same datagram as a Gateway Load Balancer hands it on: GENEVE, IPv4, UDP 4789, VXLAN, frame. */
    @Benchmark
    public void geneveDecapParseStage() {
        processor.processGeneve(gwlbDatagram, 0, gwlbLength, sender);
        Drain.ring(ring);
    }

    /** GENEVE (24 bytes of AWS-like options) around IPv4/UDP to 4789 around {@code vxlan}. */
    static byte[] gwlb(byte[] vxlan) {
        ByteBuffer b = ByteBuffer.allocate(8 + 24 + 20 + 8 + vxlan.length);
        b.put((byte) 6).put((byte) 0).putShort((short) 0x0800).putInt(1 << 8).put(new byte[24]);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + vxlan.length)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(new byte[] {10, 0, 1, 10}).put(new byte[] {10, 0, 9, 9});
        b.putShort((short) 49152).putShort((short) 4789).putShort((short) (8 + vxlan.length)).putShort((short) 0).put(vxlan);
        return b.array();
    }

    /** An IPv4/TCP frame of {@code size} bytes behind a VXLAN header. */
    static byte[] vxlanDatagram(int vni, int size) {
        ByteBuffer b = ByteBuffer.allocate(8 + size);
        b.putInt(0x08000000).putInt(vni << 8);
        b.put(new byte[] {2, 0, 0, 0, 0, 11, 2, 0, 0, 0, 0, 10}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putInt(0).put((byte) 64).put((byte) 6)
                .putShort((short) 0).put(new byte[] {10, 0, 1, 10}).put(new byte[] {10, 0, 2, 20});
        b.putShort((short) 40000).putShort((short) 443).putInt(1).putInt(0).putShort((short) 0x5018)
                .putShort((short) 65535).putInt(0);
        return b.array();
    }
}
