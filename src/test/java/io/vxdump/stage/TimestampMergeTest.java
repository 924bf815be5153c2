package io.vxdump.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

class TimestampMergeTest {
    private static void offer(StagingRing r, long ts) {
        assertTrue(r.offer(0, ts, Unpooled.wrappedBuffer(new byte[60]), 0, 60, 60));
    }

    private static long take(StagingRing[] rings, TimestampMerge m) {
        int i = m.next();
        assertTrue(i >= 0, "a record is due, got " + i);
        long ts = rings[i].timestamp();
        rings[i].advance();
        return ts;
    }

    @Test
    void recordsOfSeveralRingsComeOutInTimestampOrder() {
        StagingRing[] rings = {new StagingRing(64 << 10), new StagingRing(64 << 10)};
        TimestampMerge m = new TimestampMerge(rings);
        offer(rings[0], 10);
        offer(rings[0], 30);
        offer(rings[1], 20);
        offer(rings[1], 40);
        rings[0].close();
        rings[1].close();
        List<Long> out = new ArrayList<>();
        while (m.next() >= 0) {
            out.add(take(rings, m));
        }
        assertEquals(List.of(10L, 20L, 30L, 40L), out);
        assertEquals(TimestampMerge.EMPTY, m.next());
    }

    @Test
    void aRecordWaitsForAnEmptyRingWhoseWatermarkIsBehindIt() {
        StagingRing[] rings = {new StagingRing(64 << 10), new StagingRing(64 << 10)};
        TimestampMerge m = new TimestampMerge(rings);
        rings[1].advanceWatermark(5);
        offer(rings[0], 10);
        assertEquals(TimestampMerge.WAIT, m.next(), "ring 1 may still send something older than 10");
        offer(rings[1], 7);
        assertEquals(7, take(rings, m));
        assertEquals(TimestampMerge.WAIT, m.next(), "ring 1 has promised only 7");
        rings[1].advanceWatermark(10);
        assertEquals(10, take(rings, m), "equal to the watermark is safe");
        assertEquals(TimestampMerge.EMPTY, m.next());
    }

    @Test
    void concurrentProducersNeverYieldADecreasingTimestamp() throws Exception {
        StagingRing[] rings = {new StagingRing(1 << 20), new StagingRing(1 << 20), new StagingRing(1 << 20)};
        TimestampMerge m = new TimestampMerge(rings);
        int perRing = 200_000;
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> producers = new ArrayList<>();
        for (StagingRing r : rings) {
            Thread t = new Thread(() -> {
                long last = 0;
                for (int i = 0; i < perRing; i++) {
                    long ts = Math.max(last, clock.incrementAndGet());
                    last = ts;
                    while (!r.offer(0, ts, Unpooled.wrappedBuffer(new byte[20]), 0, 20, 20)) {
                        Thread.onSpinWait();
                    }
                    if (ThreadLocalRandom.current().nextInt(1000) == 0) {
                        Thread.yield(); // an idle moment: the timer advances the watermark
                        r.advanceWatermark(Math.max(last, clock.get()));
                    }
                }
                r.close();
            });
            producers.add(t);
            t.start();
        }
        long previous = Long.MIN_VALUE;
        int taken = 0;
        while (taken < perRing * rings.length) {
            int i = m.next();
            if (i < 0) {
                Thread.onSpinWait();
                continue;
            }
            long ts = rings[i].timestamp();
            assertTrue(ts >= previous, "stepped back from " + previous + " to " + ts);
            previous = ts;
            rings[i].advance();
            if ((++taken & 63) == 0) {
                m.release();
            }
        }
        m.release();
        for (Thread t : producers) {
            t.join();
        }
        assertEquals(TimestampMerge.EMPTY, m.next());
    }
}
