package io.vxdump.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UnitsTest {
    @Test
    void sizes() {
        assertEquals(0, Units.parseSize("0"));
        assertEquals(512, Units.parseSize("512"));
        assertEquals(512, Units.parseSize("512B"));
        assertEquals(4096, Units.parseSize("4KiB"));
        assertEquals(128L << 20, Units.parseSize("128MiB"));
        assertEquals(2L << 30, Units.parseSize("2 GiB"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("1MB"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("-1"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("99999999999TiB"));
        assertEquals("128MiB", Units.formatSize(128L << 20));
        assertEquals("1000B", Units.formatSize(1000));
    }

    @Test
    void durations() {
        assertEquals(0, Units.parseDurationSeconds("0"));
        assertEquals(30, Units.parseDurationSeconds("30s"));
        assertEquals(300, Units.parseDurationSeconds("5m"));
        assertEquals(7200, Units.parseDurationSeconds("2h"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationSeconds("5"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationSeconds("5d"));
        assertEquals("5m", Units.formatDuration(300));
        assertEquals("90s", Units.formatDuration(90));
    }

    @Test
    void shortDurations() {
        assertEquals(0, Units.parseDurationMillis("0"));
        assertEquals(100, Units.parseDurationMillis("100ms"));
        assertEquals(2000, Units.parseDurationMillis("2s"));
        assertEquals(3_600_000, Units.parseDurationMillis("1h"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("2h"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("100"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDurationMillis("1us"));
        assertEquals("100ms", Units.formatMillis(100));
        assertEquals("2s", Units.formatMillis(2000));
        assertEquals("0", Units.formatMillis(0));
    }

    @Test
    void hostPorts() {
        assertEquals(4789, HostPort.parse("0.0.0.0:4789").getPort());
        assertEquals("[::1]:9", HostPort.format(HostPort.parse("[::1]:9")));
        assertEquals("[::]:9464", HostPort.format(HostPort.parse("[::]:9464")));
        assertEquals("0.0.0.0:9464", HostPort.format(HostPort.parse("0.0.0.0:9464")));
        assertEquals("[fd00::1:0:0:5]:1", HostPort.format(HostPort.parse("[fd00:0:0:0:1:0:0:5]:1")));
        assertEquals("[2001:db8::1]:1", HostPort.format(HostPort.parse("[2001:db8:0:0:0:0:0:1]:1")));
        assertEquals("[1:0:2:3:4:5:6:7]:1", HostPort.format(HostPort.parse("[1:0:2:3:4:5:6:7]:1")));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1:9"));
        assertThrows(IllegalArgumentException.class, () -> HostPort.parse("host:"));
    }
}
