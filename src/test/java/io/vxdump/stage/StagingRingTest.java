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
