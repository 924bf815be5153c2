package io.vxdump.stage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StagingRingTest {
    private static ByteBuf frame(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return Unpooled.wrappedBuffer(b);
    }

    private static byte[] headFrame(StagingRing r) {
        byte[] out = new byte[r.caplen()];
        r.buffer().getBytes(r.frameIndex(), out);
        return out;
    }

    /** Drains the ring, checking each record against the head of {@code inFlight}; returns how many. */
    private static int drain(StagingRing r, List<byte[]> inFlight, int most) {
        int n = 0;
        while (n < most && r.hasRecord()) {
            byte[] expected = inFlight.remove(0);
            assertArrayEquals(expected, headFrame(r));
            r.advance();
            n++;
        }
        r.release();
        return n;
    }

    private static boolean offer(StagingRing r, List<byte[]> inFlight, int length, int seed) {
        ByteBuf f = frame(length, seed);
        if (!r.offer(seed % 3, seed, f, 0, length, length)) {
            return false;
        }
        byte[] copy = new byte[length];
        f.getBytes(0, copy);
        inFlight.add(copy);
        return true;
    }

    @Test
    void aPrefaultedReserveIsResidentUntilTheQuietTicksAndKeepsWhatTheProducerWrote() {
        StagingRing r = StagingRing.elastic(64 << 10, 1 << 20);
        List<byte[]> inFlight = new ArrayList<>();
        int seed = 0;
        while (inFlight.size() < 200) { // into the reserve before the prefault: it must not lose these
            assertTrue(offer(r, inFlight, 1000, seed++));
        }
        assertTrue(r.prefault(), "MADV_POPULATE_WRITE (Linux 5.14)");
        assertEquals(1 << 20, r.resident());
        drain(r, inFlight, Integer.MAX_VALUE);
        assertTrue(inFlight.isEmpty());
        // (the producer first finishes its way through the reserve, then goes round the base)
        for (int tick = 0; tick < 2 * StagingRing.TRIM_AFTER_TICKS && r.resident() > 64 << 10; tick++) {
            assertTrue(offer(r, inFlight, 100, seed++));
            drain(r, inFlight, Integer.MAX_VALUE);
            r.trim();
        }
        assertEquals(64 << 10, r.resident(), "given back after the quiet ticks");
    }

    @Test
    void thePrefaultCallsBackAfterEachStepAndItsThreadCanGoToIdlePriority() throws Exception {
        StagingRing r = StagingRing.elastic(64 << 10, 8 << 20);
        int[] steps = {0};
        assertTrue(r.prefault(() -> steps[0]++));
        // (8 MiB - 64 KiB) in 2 MiB steps: the daemon lowers the thread's priority between two of them
        assertEquals(4, steps[0]);
        assertEquals(8 << 20, r.resident());

        String[] policy = new String[1];
        Thread t = new Thread(() -> {
            if (StagingRing.idlePriority()) {
                try { // the scheduling policy is field 41 of the thread's stat: 5 is SCHED_IDLE
                    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/thread-self/stat"));
                    policy[0] = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[41 - 3];
                } catch (java.io.IOException e) {
                    policy[0] = e.toString();
                }
            }
        });
        t.start();
        t.join();
        assertEquals("5", policy[0], "the calling thread is in SCHED_IDLE");
    }

    @Test
    void anElasticRingStaysInItsBaseWhileTheWriterKeepsUp() {
        staysInItsBase(StagingRing.elastic(64 << 10, 1 << 20), 1 << 20, 64 << 10);
    }

    @Test
    void aBaseAsLargeAsASegmentStaysInItWhileTheWriterKeepsUp() {
        // At the base's end the producer must go back to the start, not on to the next segment.
        staysInItsBase(StagingRing.elastic(1 << 20, 4 << 20, 1 << 20), 4 << 20, 1 << 20);
    }

    private static void staysInItsBase(StagingRing r, long capacity, int base) {
        assertEquals(capacity, r.capacity(), String.valueOf(StagingRing.elasticUnavailable()));
        List<byte[]> inFlight = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            assertTrue(offer(r, inFlight, 60 + random.nextInt(1400), i));
            if (inFlight.size() > 8) {
                drain(r, inFlight, Integer.MAX_VALUE);
            }
        }
        drain(r, inFlight, Integer.MAX_VALUE);
        assertTrue(inFlight.isEmpty());
        assertEquals(base, r.resident(), "never went into the reserve");
    }

    @Test
    void anElasticRingHoldsABurstInOrderAndGivesTheReserveBackAfter() {
        StagingRing r = StagingRing.elastic(64 << 10, 1 << 20);
        assertEquals(1 << 20, r.capacity(), String.valueOf(StagingRing.elasticUnavailable()));
        List<byte[]> inFlight = new ArrayList<>();
        // The writer stands still: the burst goes past the base into the reserve, up to its end.
        int seed = 0;
        while (offer(r, inFlight, 1000, seed)) {
            seed++;
        }
        assertTrue(inFlight.size() > 900, "a burst of " + inFlight.size() + " records was held");
        assertTrue(r.resident() > 900 << 10, "resident: " + r.resident());
        // The writer catches up slowly while the burst goes on: every record comes out in order.
        Random random = new Random(5);
        for (int i = 0; i < 30_000; i++) {
            drain(r, inFlight, 1 + random.nextInt(4));
            offer(r, inFlight, 60 + random.nextInt(1400), ++seed);
        }
        drain(r, inFlight, Integer.MAX_VALUE);
        assertTrue(inFlight.isEmpty());
        // Traffic goes on within the base; after the quiet ticks the reserve is given back.
        long resident = r.resident();
        for (int tick = 0; tick < 2 * StagingRing.TRIM_AFTER_TICKS && r.resident() == resident; tick++) {
            for (int k = 0; k < 4; k++) { // under an eighth of the base between drains
                assertTrue(offer(r, inFlight, 60 + random.nextInt(1400), ++seed));
            }
            drain(r, inFlight, Integer.MAX_VALUE);
            r.trim();
        }
        assertTrue(r.resident() < resident, "given back: " + r.resident() + " of " + resident);
        assertEquals(64 << 10, r.resident());
        // The next burst, with a writer at half the pace, goes into the reserve again and loses
        // nothing (the given-back pages read as zeros until written).
        for (int i = 0; i < 1000; i++) {
            assertTrue(offer(r, inFlight, 60 + random.nextInt(1400), ++seed), "offer " + i);
            assertTrue(offer(r, inFlight, 60 + random.nextInt(1400), ++seed), "offer " + i);
            drain(r, inFlight, 1);
        }
        assertTrue(r.resident() > 512 << 10, "resident: " + r.resident());
        drain(r, inFlight, Integer.MAX_VALUE);
        assertTrue(inFlight.isEmpty());
    }

    @Test
    void aReserveOfSeveralSegmentsHoldsABurstInOrderAcrossTheirEnds() {
        // Segments of 1 MiB stand for the 1 GiB ones of a reserve past 1 GiB.
        StagingRing r = StagingRing.elastic(64 << 10, 4 << 20, 1 << 20);
        assertEquals(4 << 20, r.capacity(), String.valueOf(StagingRing.elasticUnavailable()));
        List<byte[]> inFlight = new ArrayList<>();
        Random random = new Random(11);
        int seed = 0;
        for (int round = 0; round < 3; round++) {
            // The writer stands still: the burst fills the base and all four segments.
            while (offer(r, inFlight, 60 + random.nextInt(9000), seed)) {
                seed++;
            }
            assertTrue(r.backlog() > (4 << 20) - (64 << 10), "held " + r.backlog());
            assertTrue(r.resident() > 3 << 20, "resident: " + r.resident());
            // It catches up slowly while the burst goes on, then drains: every record in order.
            for (int i = 0; i < 5_000; i++) {
                drain(r, inFlight, 1 + random.nextInt(3));
                offer(r, inFlight, 60 + random.nextInt(9000), ++seed);
            }
            drain(r, inFlight, Integer.MAX_VALUE);
            assertTrue(inFlight.isEmpty());
        }
    }

    @Test
    void aTwoGibReserveHoldsMoreThanAGibAndGivesItBack() {
        // The real segment size: records past the first GiB go to the second buffer of the mapping.
        StagingRing r = StagingRing.elastic(64 << 20, 2L << 30);
        assertEquals(2L << 30, r.capacity(), String.valueOf(StagingRing.elasticUnavailable()));
        ByteBuf f = Unpooled.directBuffer(9000).writeZero(9000);
        int offered = 0;
        while (r.offer(offered, offered, f.setInt(0, offered).setInt(8996, ~offered), 0, 9000, 9000)) {
            offered++;
        }
        assertTrue(r.backlog() > (2L << 30) - (64 << 20), "held " + r.backlog());
        assertTrue(r.resident() > (2L << 30) - 9024, "resident: " + r.resident());
        int taken = 0;
        while (r.hasRecord()) {
            assertEquals(taken, r.session());
            assertEquals(taken, r.buffer().getInt(r.frameIndex()));
            assertEquals(~taken, r.buffer().getInt(r.frameIndex() + 8996));
            r.advance();
            taken++;
        }
        r.release();
        assertEquals(offered, taken);
        for (int tick = 0; tick < 2 * StagingRing.TRIM_AFTER_TICKS && r.resident() > 64 << 20; tick++) {
            assertTrue(r.offer(0, 0, f, 0, 100, 100));
            assertTrue(r.hasRecord());
            r.advance();
            r.release();
            r.trim();
        }
        assertEquals(64 << 20, r.resident(), "given back after the quiet ticks");
    }

    @Test
    void recordsComeOutAsTheyWentInAcrossManyWraps() {
        StagingRing r = new StagingRing(64 << 10);
        Random random = new Random(7);
        List<byte[]> inFlight = new ArrayList<>();
        long ts = 1;
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            int length = 14 + random.nextInt(9000);
            ByteBuf f = frame(length, i);
            if (r.offer(i % 5, ts, f, 0, length, length + 3)) {
                byte[] copy = new byte[length];
                f.getBytes(0, copy);
                inFlight.add(copy);
                ts++;
            }
            // Drain now and then, so the ring wraps with records of every size at every offset.
            if (random.nextInt(4) == 0 || inFlight.size() > 5) {
                while (r.hasRecord()) {
                    byte[] expected = inFlight.remove(0);
                    assertEquals(expected.length, r.caplen());
                    assertEquals(expected.length + 3, r.origlen());
                    assertArrayEquals(expected, headFrame(r));
                    r.advance();
                    checked++;
                }
                r.release();
                assertTrue(inFlight.isEmpty());
            }
        }
        assertTrue(checked > 10_000, "records checked: " + checked);
    }

    @Test
    void aFullRingRefusesUntilTheConsumerGivesSpaceBack() {
        StagingRing r = new StagingRing(64 << 10);
        ByteBuf f = frame(8000, 1);
        int accepted = 0;
        while (r.offer(0, 1, f, 0, 8000, 8000)) {
            accepted++;
        }
        assertEquals(65536 / 8024, accepted);
        assertTrue(r.hasRecord());
        r.advance();
        assertFalse(r.offer(0, 2, f, 0, 8000, 8000), "consumed but not released: still full");
        r.release();
        assertTrue(r.offer(0, 2, f, 0, 8000, 8000));
    }

    @Test
    void aFrameLargerThanAQuarterOfTheRingIsRefused() {
        StagingRing r = new StagingRing(64 << 10);
        assertFalse(r.offer(0, 1, frame(20_000, 1), 0, 20_000, 20_000));
        assertFalse(r.hasRecord());
    }

    @Test
    void theWatermarkFollowsRecordsTheTimerAndClose() {
        StagingRing r = new StagingRing(64 << 10);
        r.offer(0, 500, frame(60, 1), 0, 60, 60);
        assertEquals(500, r.watermark());
        r.advanceWatermark(900);
        assertEquals(900, r.watermark());
        r.close();
        assertEquals(Long.MAX_VALUE, r.watermark());
    }
}
