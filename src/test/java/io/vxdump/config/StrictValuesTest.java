package io.vxdump.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.filter.Cidr;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Values that other parsers read as something else (inet_aton's short forms, an integer address,
 * octal octets, host bits past the prefix, a duration that wraps around in nanoseconds) are refused
 * in one line naming file, line and key, wherever a CIDR or a duration is taken.
 */
class StrictValuesTest {
    @TempDir
    Path dir;


    @ParameterizedTest
    @ValueSource(strings = {"10.1/16", "10.1.2", "4294967295/32", "010.0.0.0/8", "10.0.0.256/32", "10.0.0.0/33",
            "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0", "10.0.0.0/", "::ffff:10.0.0.0/104x", "fe80::1%eth0/128", "host/32"})
    void malformedBlocksAreRefusedEverywhere(String bad) {
        String allow = ConfigFiles.error(dir, "allow-sources: [10.0.0.0/8, \"" + bad + "\"]\n");
        assertTrue(allow.startsWith(dir.resolve("vxdump.yaml") + ":1: allow-sources[1]: "), allow);
        assertTrue(allow.contains(bad), allow);
        String monitored = ConfigFiles.error(dir, "sessions:\n  - vni: 7\n    monitored: [\"" + bad + "\"]\n");
        assertTrue(monitored.contains(":3: sessions[0].monitored[0]: "), monitored);
        String rule = ConfigFiles.error(dir, "sessions:\n  - vni: 7\n    filter:\n      rules:\n        - {number: 100, direction: inbound,"
                + " action: accept, source: \"" + bad + "\"}\n");
        assertTrue(rule.contains(":5: sessions[0].filter.rules[0].source: "), rule);
    }

    @ParameterizedTest
    @CsvSource({"10.0.0.1/8,10.0.0.0/8", "192.168.1.77/24,192.168.1.0/24", "fd00::1/8,fd00::/8"})
    void hostBitsSetNameTheBlockMeant(String typed, String meant) {
        String m = ConfigFiles.error(dir, "allow-sources: [\"" + typed + "\"]\n");
        assertTrue(m.endsWith("allow-sources[0]: " + typed + ": host bits set; did you mean " + meant + "?"), m);
    }

    @Test
    void wellFormedBlocksParse() {
        assertEquals("10.0.0.0/8", Cidr.parse("10.0.0.0/8").toString());
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").toString());
        assertEquals("10.1.2.3/32", Cidr.parse("10.1.2.3/32").toString());
        assertEquals("fd00::/8", Cidr.parse("fd00::/8").toString());
        assertEquals("::/0", Cidr.parse("::/0").toString());
    }

    @Test
    void aDurationThatWouldWrapInNanosecondsIsRefused() throws Exception {
        String m = ConfigFiles.error(dir, "rotation: {interval: 2562048h}\n");
        assertTrue(m.endsWith(":1: rotation.interval: '2562048h' is too long (at most 2562047h)"), m);
        ConfigFiles.error(dir, "health: {max-idle: 99999999999999999s}\n");
        assertEquals(2562047L * 3600, ConfigFiles.load(dir, "rotation: {interval: 2562047h}\n").rotation().intervalNanos() / 1_000_000_000L);
    }

    @Test
    void theSyncIntervalTakesMillisecondsAndRefusesWhatWouldBusyTheDisk() throws Exception {
        assertEquals(100, ConfigFiles.load(dir, "output: x\n").write().syncMillis());
        assertEquals(250, ConfigFiles.load(dir, "writer: {sync-interval: 250ms}\n").write().syncMillis());
        assertEquals(0, ConfigFiles.load(dir, "writer: {sync-interval: 0}\n").write().syncMillis());
        String m = ConfigFiles.error(dir, "writer: {sync-interval: 1ms}\n");
        assertTrue(m.endsWith(":1: writer.sync-interval: '1ms' is too short (at least 10ms; 0 for off)"), m);
        m = ConfigFiles.error(dir, "writer: {sync-interval: 100}\n");
        assertTrue(m.contains(":1: writer.sync-interval: '100' is not a duration"), m);
    }

    @Test
    void aSizeThatWouldOverflowIsRefused() {
        String m = ConfigFiles.error(dir, "rotation: {max-size: 9000000TiB}\n");
        assertTrue(m.contains("rotation.max-size: '9000000TiB' is too large"), m);
    }

    @Test
    void metricsOffUnquotedIsOff() throws Exception {
        assertTrue(ConfigFiles.load(dir, "metrics: off\n").metrics().isEmpty());
        assertTrue(ConfigFiles.load(dir, "metrics: \"off\"\n").metrics().isEmpty());
        String m = ConfigFiles.error(dir, "metrics: true\n");
        assertTrue(m.endsWith(":1: metrics: expected HOST:PORT or off, found true/false"), m);
    }

    @Test
    void aBareNumberForMinFreeNeedsAUnit() throws Exception {
        String m = ConfigFiles.error(dir, "retention: {min-free: 5}\n");
        assertTrue(m.endsWith(":1: retention.min-free: '5' has no unit: say 5% or 5GiB"), m);
        assertEquals(0, ConfigFiles.load(dir, "retention: {min-free: 0}\n").storage().minFreeBytes());
        assertEquals(5L << 30, ConfigFiles.load(dir, "retention: {min-free: 5GiB}\n").storage().minFreeBytes());
    }

    @Test
    void aYamlSyntaxErrorNamesLineAndColumn() {
        String m = ConfigFiles.error(dir, "sessions: {a: 1 b: 2\n");
        assertTrue(m.endsWith(":1:18: not valid YAML: expected ',' or '}', but got : (while parsing a flow mapping from 1:11)"), m);
        m = ConfigFiles.error(dir, "a: b\n  c: d\n");
        assertTrue(m.endsWith(":2:4: not valid YAML: mapping values are not allowed here"), m);
        m = ConfigFiles.error(dir, "a:\n\t- b\n");
        assertTrue(m.endsWith(":2:1: not valid YAML: a tab; YAML indents with spaces only (while scanning for the next token)"), m);
    }
}
