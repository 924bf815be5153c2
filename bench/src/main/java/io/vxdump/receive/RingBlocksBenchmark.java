package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.bench.Drain;
import io.vxdump.metrics.LongCounter;
import io.vxdump.pcap.Precision;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
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
 * What {@link PacketRingSocket} does with one block the kernel handed over, without the kernel:
 * for each of its {@code datagrams} frames, the frame header (kind, length, time), the IP and UDP
 * headers (sender, the listener's address, the UDP length), then decap, parse, look up the session
 * (1024 of them), filter and stage (giving the block back, two stores, is left out so that the
 * same block serves every call). The block is laid out once, as
 * the kernel would, by {@code RingBlocks.writeBlock}. Scores are ns per block: divide by
 * {@code datagrams}; run with {@code -prof gc} (0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RingBlocksBenchmark {
    @Param({"128", "1400"})
    int frameSize;

    @Param({"32"})
    int datagrams;

    private RingBlocks blocks;
    private ByteBuf ring;
    private DatagramProcessor processor;
    private StagingRing staging;

    @Setup
    public void setUp() throws Exception {
        List<Session> sessions = io.vxdump.bench.SpreadSessions.of(1024, Precision.NANO);
        staging = new StagingRing(64 << 20);
        processor = new DatagramProcessor(0, new SessionTable(sessions, null, 0), new StagingRing[] {staging},
                new WriterWakeup[] {new WriterWakeup()});
        // The same kind of buffer as the real ring: a direct ByteBuffer over memory, wrapped.
        ring = Unpooled.wrappedBuffer(ByteBuffer.allocateDirect(PacketRingSocket.BLOCK_SIZE));
        byte[][] packets = new byte[datagrams][];
        long[] nanos = new long[datagrams];
        int[] kinds = new int[datagrams];
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < datagrams; i++) {
            int vni = sessions.get((i * 37) % sessions.size()).vni();
            packets[i] = ipv4Udp(HandlerBenchmark.datagram(vni, frameSize, i));
            nanos[i] = now + i * 1_000L;
        }
        RingBlocks.writeBlock(ring, 0, packets, nanos, kinds, 65536);
        blocks = new RingBlocks(ring, InetAddress.getByName("10.0.2.1"), false, new LongCounter());
    }

    /** An IPv4/UDP packet from 10.0.1.10 to 10.0.2.1:4789 carrying {@code payload}. */
    private static byte[] ipv4Udp(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putInt(0).put((byte) 64)
                .put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 1, 10}).put(new byte[] {10, 0, 2, 1});
        b.putShort((short) 49152).putShort((short) 4789).putShort((short) (8 + payload.length)).putShort((short) 0);
        return b.put(payload).array();
    }

    @Benchmark
    public void readBlock() {
        blocks.handedOver(0);
        blocks.read(0, processor);
        processor.readComplete();
        Drain.ring(staging); // stands in for the writer thread
    }
}
