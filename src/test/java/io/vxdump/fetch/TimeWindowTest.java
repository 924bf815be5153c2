package io.vxdump.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeWindowTest {
    private static final Instant NOW = Instant.parse("2026-12-01T10:05:00Z");
    private static final long NOW_NANOS = NOW.getEpochSecond() * 1_000_000_000L;

    @Test
    void rfc3339ToTheNanosecondAnyOffsetAndRelativeTimes() {
        assertEquals(NOW_NANOS - 180_000_000_000L, TimeWindow.parse("2026-12-01T10:02:00Z", NOW));
        assertEquals(NOW_NANOS - 180_000_000_000L + 123_456_789, TimeWindow.parse("2026-12-01T10:02:00.123456789Z", NOW));
        assertEquals(NOW_NANOS - 180_000_000_000L, TimeWindow.parse("2026-12-01T11:02:00+01:00", NOW));
        assertEquals(NOW_NANOS, TimeWindow.parse("now", NOW));
        assertEquals(NOW_NANOS - 900_000_000_000L, TimeWindow.parse("-15m", NOW));
        assertEquals(NOW_NANOS - 7_200_000_000_000L, TimeWindow.parse("-2h", NOW));
        assertEquals(NOW_NANOS - 86_400_000_000_000L, TimeWindow.parse("-1d", NOW));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeWindow.parse("10:02", NOW));
        assertTrue(e.getMessage().startsWith("'10:02' is not a time"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TimeWindow.parse("15m", NOW));
    }

    @Test
    void fromIsInToIsOut() {
        TimeWindow w = new TimeWindow(100, 200);
        assertTrue(w.contains(100));
        assertTrue(w.contains(199));
        assertFalse(w.contains(200));
        assertFalse(w.contains(99));
        assertThrows(IllegalArgumentException.class, () -> new TimeWindow(200, 200));
    }
}
