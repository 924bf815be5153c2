package io.vxdump.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.vxdump.packet.InnerFrame;
import io.vxdump.testing.Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * AWS Traffic Mirror filter semantics, one row per case: the rules (compact syntax, ';' between
 * rules), the monitored blocks ('-' for the outer source), the outer source, the frame, and which
 * rule decides ('default' when none) and whether the packet is kept.
 */
class FilterSemanticsTest {

    static String decide(String rules, String defaultAction, String monitored, String outer, String frameSpec) {
        List<FilterRule> list = new ArrayList<>();
        for (String r : rules.split(";")) {
            if (!r.isBlank()) {
                list.add(RuleBuilder.parseCompact(r));
            }
        }
        List<Cidr> blocks = new ArrayList<>();
        if (!monitored.equals("-")) {
            for (String c : monitored.split(" ")) {
                blocks.add(Cidr.parse(c));
            }
        }
        SessionFilter f = new SessionFilter(Monitored.of(blocks), list, Action.parse(defaultAction));
        byte[] frame = TestFrames.frame(frameSpec);
        InnerFrame view = new InnerFrame().wrap(Unpooled.wrappedBuffer(frame), 0, frame.length);
        int outer4 = ByteBuffer.wrap(Frames.addr4(outer)).getInt();
        int d = f.decide(view, outer4, true);
        String who = d == list.size() ? "default" : String.valueOf(f.rules().get(d).number());
        return who + " " + (f.keeps(d) ? "kept" : "dropped");
    }

    @ParameterizedTest(name = "{5}")
    @CsvSource(delimiter = '|', textBlock = """
            200 any accept; 100 any reject         | reject | - | 10.0.1.10 | v4 tcp 10.0.1.10:5000 10.0.2.2:80  | 100 dropped  | lowest number first
            100 any accept protocol=udp            | reject | - | 10.0.1.10 | v4 tcp 10.0.1.10:5000 10.0.2.2:80  | default dropped | no match: AWS default is reject
            100 any reject protocol=udp            | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:5000 10.0.2.2:80  | default kept | default-action accept
            100 outbound reject                    | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:5000 10.0.2.2:80  | 100 dropped  | outbound: inner source is the outer source
            100 inbound reject                     | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:5000 10.0.2.2:80  | default kept | an inbound rule ignores outbound packets
            100 inbound reject                     | accept | - | 10.0.1.10 | v4 tcp 10.0.2.2:80 10.0.1.10:5000  | 100 dropped  | inbound: inner destination is the outer source
            100 inbound reject; 200 outbound reject | accept | - | 10.0.1.10 | v4 tcp 10.0.7.7:1 10.0.8.8:2     | default kept | direction unknown: neither inbound nor outbound rules
            100 inbound reject; 200 any reject     | accept | - | 10.0.1.10 | v4 tcp 10.0.7.7:1 10.0.8.8:2       | 200 dropped  | direction unknown: any rules still apply
            100 inbound reject                     | accept | 10.0.1.0/24 | 192.0.2.1 | v4 udp 10.0.9.9:53 10.0.1.77:999 | 100 dropped | monitored list decides, not the outer source
            100 outbound reject                    | accept | 10.0.1.0/24 | 192.0.2.1 | v4 udp 10.0.1.5:53 10.0.1.77:999 | 100 dropped | both ends monitored: outbound
            100 inbound reject                     | accept | 2001:db8:1::/64 | 192.0.2.1 | v6 tcp [2001:db8:9::1]:1 [2001:db8:1::5]:22 | 100 dropped | IPv6 monitored block
            100 any reject protocol=tcp destination-port=443 | accept | - | 10.0.1.10 | v4 tcp 10.0.2.2:5000 10.0.1.10:443 | 100 dropped | destination port
            100 any reject protocol=tcp destination-port=443 | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:443 10.0.2.2:5000 | default kept | source port is not destination port
            100 any reject protocol=tcp source-port=1024-65535 | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:1024 10.0.2.2:80 | 100 dropped | port range low end
            100 any reject protocol=tcp source-port=1024-65535 | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:1023 10.0.2.2:80 | default kept | below the range
            100 any reject protocol=udp destination-port=nfs | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:800 10.0.2.2:2049 | default kept | protocol must match too
            100 any reject protocol=udp destination-port=nfs | accept | - | 10.0.1.10 | v4 udp 10.0.1.10:800 10.0.2.2:2049 frag-first | 100 dropped | first fragment carries ports
            100 any reject protocol=udp destination-port=nfs | accept | - | 10.0.1.10 | v4 udp 10.0.1.10:800 10.0.2.2:2049 frag-later | default kept | later fragments have no ports
            100 any reject protocol=udp                | accept | - | 10.0.1.10 | v4 udp 10.0.1.10:800 10.0.2.2:2049 frag-later | 100 dropped | a portless rule matches later fragments
            100 any reject protocol=udp destination-port=nfs | accept | - | 10.0.1.10 | v6 udp [2001:db8::1]:800 [2001:db8::2]:2049 frag-later | default kept | IPv6 later fragment has no ports
            100 any reject protocol=udp destination-port=nfs | accept | - | 10.0.1.10 | v6 udp [2001:db8::1]:800 [2001:db8::2]:2049 frag-first | 100 dropped | IPv6 first fragment has ports
            100 any reject source=0.0.0.0/0            | accept | - | 10.0.1.10 | v6 tcp [2001:db8::1]:1 [2001:db8::2]:2 | default kept | an IPv4 rule never matches IPv6
            100 any reject source=::/0                 | accept | - | 10.0.1.10 | v6 tcp [2001:db8::1]:1 [2001:db8::2]:2 | 100 dropped | an IPv6 rule matches IPv6
            100 any reject destination=::/0            | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:1 10.0.2.2:2 | default kept | an IPv6 rule never matches IPv4
            100 any reject                             | accept | - | 10.0.1.10 | v6 tcp [2001:db8::1]:1 [2001:db8::2]:2 | 100 dropped | no addresses: either family
            100 any reject destination=10.0.0.0/16     | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:1 10.0.255.255:2 | 100 dropped | CIDR upper edge
            100 any reject destination=10.0.0.0/16     | accept | - | 10.0.1.10 | v4 tcp 10.0.1.10:1 10.1.0.0:2 | default kept | just outside the CIDR
            100 any reject destination=2001:db8::/100  | accept | - | 10.0.1.10 | v6 tcp [::1]:1 [2001:db8::fff:ffff]:2 | 100 dropped | IPv6 prefix past 64 bits
            100 any reject destination=2001:db8::/100  | accept | - | 10.0.1.10 | v6 tcp [::1]:1 [2001:db8::1000:0]:2 | default kept | just outside the IPv6 prefix
            100 any reject                             | accept | - | 10.0.1.10 | arp | 100 dropped | non-IP meets a rule that asks nothing of IP
            100 any reject protocol=all source=0.0.0.0/0 | accept | - | 10.0.1.10 | arp | default kept | non-IP never meets a rule with addresses
            100 any reject protocol=6                  | accept | - | 10.0.1.10 | arp | default kept | non-IP never meets a rule with a protocol
            100 outbound reject                        | accept | - | 10.0.1.10 | arp | default kept | non-IP has no direction
            100 any reject protocol=tcp destination-port=22 | accept | - | 10.0.1.10 | v4 tcp 10.0.6.6:5000 10.0.1.10:22 vlan | 100 dropped | one VLAN tag
            100 any reject protocol=tcp destination-port=22 | accept | - | 10.0.1.10 | v4 tcp 10.0.6.6:5000 10.0.1.10:22 qinq | 100 dropped | two VLAN tags
            100 inbound reject protocol=tcp destination-port=443 | accept | - | 10.0.1.10 | v4 tcp 10.0.6.6:5000 10.0.1.10:443 cut=60 | 100 dropped | truncated frame whose ports survive
            100 inbound reject protocol=tcp destination-port=443 | accept | - | 10.0.1.10 | v4 tcp 10.0.6.6:5000 10.0.1.10:443 cut=36 | default kept | truncated before the ports
            100 any reject protocol=icmp               | accept | - | 10.0.1.10 | v4 icmp 10.0.1.10 10.0.0.1 | 100 dropped | icmp by name
            100 any reject protocol=47                 | accept | - | 10.0.1.10 | v4 47 10.0.1.10 10.0.0.1 | 100 dropped | protocol by number
            100 any reject protocol=icmpv6             | accept | - | 10.0.1.10 | v6 icmpv6 [2001:db8::1] [2001:db8::2] | 100 dropped | icmpv6
            100 inbound accept; 100 outbound reject    | reject | - | 10.0.1.10 | v4 udp 10.0.1.10:1 10.0.2.2:2 | 100 dropped | one number, two directions
            """)
    void aTableOfRules(String rules, String defaultAction, String monitored, String outer, String frame,
                       String expected, String why) {
        assertEquals(expected, decide(rules, defaultAction, monitored, outer, frame), why);
    }
}
