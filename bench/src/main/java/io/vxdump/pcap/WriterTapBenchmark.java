package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.bench.Drain;
import io.vxdump.live.LiveTap;
import io.vxdump.stage.StagingRing;
import java.nio.file.Path;
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
 * What the live tap costs the writer per record (issue 19): the record's copy into a write block
 * (the writer's own work, as {@code SessionOutput.append} does it), then {@link PcapWriter#tap}
 * with no tap, with the daemon's tap and nobody watching, and with a watcher of the session
 * (a ring drained every 1,024 records, as a watcher's thread would). ns per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WriterTapBenchmark {
    @Param({"128", "1400"})
    int frameLength;

    private ByteBuf frame;
    private ByteBuf block;
    private int fill;
    private SessionOutput output;
    private final LiveTap unwatched = new LiveTap();
    private RecordTap watched;
    private StagingRing watcherRing;
    private int sinceDrain;
    private long ts = 1_800_000_000_000_000_000L;

    @Setup
    public void setup() {
        frame = Unpooled.directBuffer(frameLength).writeZero(frameLength);
        block = Unpooled.directBuffer((512 << 10) + (64 << 10));
        OutputSettings settings = new OutputSettings(Path.of("/tmp/unused"), Precision.NANO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty(), "bench");
        output = new SessionOutput("web", 0, settings);
        watcherRing = new StagingRing(8 << 20);
        watched = new RecordTap() {
            @Override
            public int generation() {
                return 1;
            }

            @Override
            public long mask(String session) {
                return 1;
            }

            @Override
            public void offer(long mask, int writer, SessionOutput o, long t, ByteBuf f, int index, int caplen, int origlen) {
                if (!watcherRing.offer(o.liveId(), t, f, index, caplen, origlen)) {
                    o.liveDropped();
                }
            }
        };
    }

    /** The writer's copy of a record into its block (header fields and frame), wrapping at 512 KiB. */
    private void append() {
        if (fill + 16 + frameLength > 512 << 10) {
            fill = 0;
        }
        block.setIntLE(fill, (int) (ts / 1_000_000_000L));
        block.setIntLE(fill + 4, (int) (ts % 1_000_000_000L));
        block.setIntLE(fill + 8, frameLength);
        block.setIntLE(fill + 12, frameLength);
        block.setBytes(fill + 16, frame, 0, frameLength);
        fill += 16 + frameLength;
        ts++;
    }

    @Benchmark
    public int appendOnly() {
        append();
        return fill;
    }

    @Benchmark
    public int appendAndNoTap() {
        append();
        PcapWriter.tap(RecordTap.NONE, 0, output, ts, frame, 0, frameLength, frameLength);
        return fill;
    }

    @Benchmark
    public int appendAndTapNobodyWatching() {
        append();
        PcapWriter.tap(unwatched, 0, output, ts, frame, 0, frameLength, frameLength);
        return fill;
    }

    @Benchmark
    public int appendAndTapWatched() {
        append();
        PcapWriter.tap(watched, 0, output, ts, frame, 0, frameLength, frameLength);
        if (++sinceDrain == 1024) {
            sinceDrain = 0;
            Drain.ring(watcherRing);
        }
        return fill;
    }
}
