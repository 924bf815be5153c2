package io.vxdump.receive;

import io.vxdump.bench.Drain;
import io.vxdump.metrics.LongCounter;
import io.vxdump.pcap.Precision;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link MmsgSocket} does with one full recvmmsg batch once the kernel has filled it, without
 * the system call: for each of the 64 slots, read the length, MSG_TRUNC, the sender and the
 * SCM_TIMESTAMPNS time from the off-heap headers, then decap, parse, look up the session (1024 of
 * them), filter and stage. The slots are filled once, as the kernel would, by
 * {@code MmsgBatch.received}. Scores are ns per batch: divide by {@code datagrams}; run with
 * {@code -prof gc} (0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MmsgBatchBenchmark {
    @Param({"128", "1400"})
    int frameSize;

    /** The staging ring: the default 64 MiB (beyond the last-level cache) or a cache-sized 4 MiB. */
    @Param({"67108864"})
    int ringSize;

    /** Datagrams per recvmmsg call: the yardstick batch of 32, and a full 64-slot batch. */
    @Param({"32", "64"})
    int datagrams;

    private MmsgBatch batch;
    private DatagramProcessor processor;
    private StagingRing ring;
    private final LongCounter received = new LongCounter();

    @Setup
    public void setUp() {
        List<Session> sessions = io.vxdump.bench.SpreadSessions.of(1024, Precision.NANO);
        ring = new StagingRing(ringSize);
        processor = new DatagramProcessor(0, new SessionTable(sessions, null, 0), new StagingRing[] {ring},
                new WriterWakeup[] {new WriterWakeup()});
        batch = new MmsgBatch(MmsgSocket.SLOTS, ReceiveSettings.MAX_DATAGRAM);
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < MmsgSocket.SLOTS; i++) {
            int vni = sessions.get((i * 37) % sessions.size()).vni();
            byte[] d = HandlerBenchmark.datagram(vni, frameSize, i);
            batch.received(i, d, d.length, 0x0A00010A, 49152 + i, now + i * 1_000L);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        batch.close();
    }

    @Benchmark
    public void processBatch() {
        MmsgSocket.processSlots(batch, datagrams, processor, false, received);
        processor.readComplete();
        Drain.ring(ring); // stands in for the writer thread
    }
}
