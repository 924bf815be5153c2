package io.vxdump.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.filter.Action;
import io.vxdump.filter.Direction;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.SessionFilter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterConfigTest {
    static final String ISSUE_EXAMPLE = """
            allow-sources: [10.0.0.0/8]
            sessions:
              - vni: 301
                name: app1-revproxy
                monitored: [10.0.1.10/32]
                filter:
                  default-action: reject
                  rules:
                    - number: 100
                      direction: inbound
                      action: reject
                      protocol: tcp
                      source: 0.0.0.0/0
                      destination: 10.0.0.0/16
                      source-port: 1024-65535
                      destination-port: https
                      description: Drop HTTPS
            """;

    @TempDir
    Path dir;

    private ServeConfig load(String yaml) throws Exception {
        Path f = dir.resolve("f.yaml");
        Files.writeString(f, yaml);
        ConfigBuilder b = new ConfigBuilder();
        ConfigFile.apply(f, b);
        return b.build();
    }

    @Test
    void theIssuesExampleCompiles() throws Exception {
        ServeConfig c = load(ISSUE_EXAMPLE);
        assertEquals("[10.0.0.0/8]", c.allowSources().toString());
        SessionFilter f = c.sessions().get(0).filter();
        assertEquals(Action.REJECT, f.defaultAction());
        FilterRule r = f.rules().get(0);
        assertEquals(100, r.number());
        assertEquals(Direction.INBOUND, r.direction());
        assertEquals(6, r.protocol());
        assertEquals("1024-65535", r.sourcePort().toString());
        assertEquals("443", r.destinationPort().toString());
        assertEquals("Drop HTTPS", r.description());
        assertEquals("10.0.1.10/32", f.monitored().describe());
    }

    @Test
    void checkConfigPrintsEachRuleTableInEvaluationOrder() throws Exception {
        String text = load("""
                sessions:
                  - vni: 1
                    filter:
                      rules:
                        - {number: 300, direction: any, action: accept}
                        - {number: 100, direction: outbound, action: reject, protocol: udp, destination-port: ntp}
                        - {number: 100, direction: inbound, action: reject, protocol: tcp, source: '2001:db8::/32', destination: '::/0'}
                """).describe();
        int in = text.indexOf("  100 inbound  reject tcp    2001:db8::/32 -> ::/0");
        int out = text.indexOf("  100 outbound reject udp    any -> any port 123");
        int any = text.indexOf("  300 any      accept all    any -> any");
        int dflt = text.indexOf("  default reject");
        assertTrue(in > 0 && in < out && out < any && any < dflt, text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {number: 100, direction: inbound, action: accept}\\n        - {number: 100, direction: inbound, action: reject} | :7: sessions[0].filter.rules[1]: rule number 100 is already used in that direction (line 6)
            {number: 100, direction: any, action: accept}\\n        - {number: 100, direction: outbound, action: reject} | :7: sessions[0].filter.rules[1]: rule number 100 is already used in that direction (line 6)
            {number: 100, direction: inbound, action: accept, protocol: icmp, destination-port: 80} | :6: sessions[0].filter.rules[0]: ports need protocol tcp or udp, not icmp
            {number: 100, direction: inbound, action: accept, source-port: 80}                       | :6: sessions[0].filter.rules[0]: ports need protocol tcp or udp, not all
            {number: 100, direction: inbound, action: accept, source: 10.0.0.0/33}                    | :6: sessions[0].filter.rules[0].source: '10.0.0.0/33': the prefix length is not in 0..32
            {number: 100, direction: inbound, action: accept, source: 10.0.0.300/8}                   | :6: sessions[0].filter.rules[0].source: '10.0.0.300/8' is not a CIDR block
            {number: 100, direction: inbound, action: accept, source: example.com}                   | :6: sessions[0].filter.rules[0].source: 'example.com' is not a CIDR block (four dotted decimal octets, a slash and a prefix length, e.g. 10.0.0.0/8)
            {number: 100, direction: inbound, action: accept, source: 10.0.0.0/8, destination: '::/0'}| :6: sessions[0].filter.rules[0]: source 10.0.0.0/8 and destination ::/0 mix IPv4 and IPv6
            {number: 100, direction: inbound, action: allow}                                          | :6: sessions[0].filter.rules[0].action: 'allow' is not an action: accept or reject
            {number: 100, direction: ingress, action: accept}                                         | :6: sessions[0].filter.rules[0].direction: 'ingress' is not a direction
            {number: 100, direction: inbound, action: accept, protocol: sctp}                         | :6: sessions[0].filter.rules[0].protocol: 'sctp' is not a protocol
            {number: 100, direction: inbound, action: accept, protocol: 256}                          | :6: sessions[0].filter.rules[0].protocol: '256' is not a protocol
            {number: 100, direction: inbound, action: accept, protocol: tcp, destination-port: gopher} | :6: sessions[0].filter.rules[0].destination-port: 'gopher' is not a port
            {number: 100, direction: inbound, action: accept, protocol: tcp, destination-port: 90-80} | :6: sessions[0].filter.rules[0].destination-port: '90-80' is not a port range
            {number: 0, direction: inbound, action: accept}                                           | :6: sessions[0].filter.rules[0]: rule number 0 is not in 1..32766
            {number: 32767, direction: inbound, action: accept}                                       | :6: sessions[0].filter.rules[0]: rule number 32767 is not in 1..32766
            {direction: inbound, action: accept}                                                      | :6: sessions[0].filter.rules[0]: a rule needs a number
            {number: 5, action: accept}                                                               | :6: sessions[0].filter.rules[0]: rule 5 needs a direction
            {number: 5, direction: inbound, action: accept, port: 80}                                 | :6: sessions[0].filter.rules[0].port: unknown key
            """)
    void ruleErrorsNameTheLineAndKey(String rule, String expected) throws Exception {
        String yaml = "sessions:\n  - vni: 1\n    filter:\n      default-action: reject\n      rules:\n        - "
                + rule.replace("\\n", "\n") + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> load(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage() + "\nshould contain " + expected);
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void otherFilterErrors() {
        assertTrue(assertThrows(ConfigException.class, () -> load("allow-sources: [10.0.0.0/8, nope]\n"))
                .getMessage().contains(":1: allow-sources[1]: 'nope' is not a CIDR block"));
        assertTrue(assertThrows(ConfigException.class, () -> load("sessions:\n  - {vni: 1, filter: {default-action: drop}}\n"))
                .getMessage().contains(":2: sessions[0].filter.default-action: 'drop' is not an action"));
        assertTrue(assertThrows(ConfigException.class, () -> load("sessions:\n  - {vni: 1, filter: {rule: []}}\n"))
                .getMessage().contains(":2: sessions[0].filter.rule: unknown key"));
        assertTrue(assertThrows(ConfigException.class, () -> load("sessions:\n  - {vni: 1, monitored: 10.0.0.1/32}\n"))
                .getMessage().contains(":2: sessions[0].monitored: expected a list, found a string"));
    }

    @Test
    void commandLineRulesFilterSessionsOfUnknownVnis() throws Exception {
        ServeConfig c = new ConfigBuilder()
                .unknownVniRule("100 inbound reject protocol=tcp destination=10.0.0.0/16 destination-port=https")
                .unknownVniRule("200 any accept")
                .build();
        assertEquals(2, c.unknownVniFilter().rules().size());
        assertEquals(Action.REJECT, c.unknownVniFilter().defaultAction());
        assertEquals(SessionFilter.KEEP_ALL, new ConfigBuilder().build().unknownVniFilter());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> new ConfigBuilder()
                .unknownVniRule("100 any accept").unknownVniRule("100 inbound reject"));
        assertTrue(dup.getMessage().contains("rule number 100 is already used in that direction by '100 any accept'"));
        assertThrows(IllegalArgumentException.class, () -> new ConfigBuilder().unknownVniRule("100 inbound"));
        assertThrows(IllegalArgumentException.class, () -> new ConfigBuilder().unknownVniRule("100 inbound reject tcp"));
    }
}
