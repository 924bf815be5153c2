package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.vxdump.pcap.Precision;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import io.vxdump.bench.Drain;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The pieces of the packet path one by one, and the whole Netty handler on a recvmmsg-sized batch
 * of 32 datagrams (slices of one pooled direct buffer, as the epoll transport hands them over), for
 * 128- and 1400-byte frames. Scores are ns per packet; run with {@code -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandlerBenchmark {
    private static final int BATCH = 32;

    @Param({"128", "1400"})
    int frameSize;

    private final DatagramPacket[] batch = new DatagramPacket[BATCH];
    private DatagramHandler handler;
    private StagingRing ring;
    private SessionTable table;
    private final int[] vnis = new int[BATCH];
    private SessionLane lane;
    private ByteBuf frame;

    @Setup
    public void setUp() {
        List<Session> sessions = io.vxdump.bench.SpreadSessions.of(1024, Precision.MICRO);
        table = new SessionTable(sessions, null, 0);
        ring = new StagingRing(64 << 20);
        handler = new DatagramHandler(io.vxdump.packet.Encapsulation.VXLAN, new io.vxdump.metrics.LongCounter());
        handler.processor(new DatagramProcessor(0, table, new StagingRing[] {ring},
                new WriterWakeup[] {new WriterWakeup()}));
        ByteBuf big = PooledByteBufAllocator.DEFAULT.directBuffer(BATCH * (8 + frameSize));
        InetSocketAddress sender = new InetSocketAddress("10.0.1.10", 49152);
        InetSocketAddress recipient = new InetSocketAddress("10.0.9.9", 4789);
        for (int i = 0; i < BATCH; i++) {
            int vni = sessions.get((i * 37) % sessions.size()).vni();
            vnis[i] = vni;
            int at = big.writerIndex();
            big.writeBytes(datagram(vni, frameSize, i));
            // The handler releases each packet; a large reference count lets the batch be reused.
            ByteBuf slice = big.retainedSlice(at, 8 + frameSize).retain(1_000_000_000);
            batch[i] = new DatagramPacket(slice, recipient, sender);
        }
        lane = sessions.get(0).lane(0);
        frame = PooledByteBufAllocator.DEFAULT.directBuffer(frameSize).writeBytes(datagram(1, frameSize, 0), 8, frameSize);
    }

    private void recycleFull() {
        Drain.ring(ring); // stands in for the writer thread
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void handlerBatch() {
        for (DatagramPacket p : batch) {
            handler.channelRead(null, p);
        }
        recycleFull();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int sessionLookup() {
        int found = 0;
        for (int vni : vnis) {
            found += table.get(vni).snaplen() + 1;
        }
        return found;
    }

    @Benchmark
    public void stage() {
        if (ring.offer(0, 1_700_000_000_000_000_000L, frame, 0, frameSize, frameSize)) {
            lane.staged(false);
        }
        recycleFull();
    }

    static byte[] datagram(int vni, int size, int seq) {
        ByteBuffer b = ByteBuffer.allocate(8 + size);
        b.putInt(0x08000000).putInt(vni << 8);
        b.put(new byte[] {2, 0, 0, 0, 0, 11, 2, 0, 0, 0, 0, 10}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (size - 14)).putInt(0).put((byte) 64).put((byte) 17)
                .putShort((short) 0).put(new byte[] {10, 0, 1, 10}).put(new byte[] {10, 0, 2, (byte) seq});
        b.putShort((short) (40000 + seq)).putShort((short) 53).putShort((short) (size - 34)).putShort((short) 0);
        return b.array();
    }
}
