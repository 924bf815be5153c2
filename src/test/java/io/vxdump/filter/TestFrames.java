package io.vxdump.filter;

import io.vxdump.testing.Frames;
import java.util.Arrays;

/**
 * Frames described in one line, for table-driven tests:
 * {@code "v4 tcp 10.0.0.1:1234 10.0.1.10:443 [vlan] [qinq] [frag-first] [frag-later] [cut=N]"},
 * {@code "v6 udp [2001:db8::1]:53 [2001:db8::2]:5353"}, {@code "v4 icmp 10.0.0.1 10.0.0.2"},
 * {@code "v4 47 ..."} (any protocol number), {@code "arp"}.
 */
final class TestFrames {
    private TestFrames() {
    }

    static byte[] frame(String spec) {
        String[] t = spec.trim().split("\\s+");
        if (t[0].equals("arp")) {
            return Frames.arp();
        }
        boolean v6 = t[0].equals("v6");
        String proto = t[1];
        String[] src = hostPort(t[2]);
        String[] dst = hostPort(t[3]);
        int fragment = 0;
        int[] tags = new int[0];
        int cut = -1;
        for (int i = 4; i < t.length; i++) {
            switch (t[i]) {
                case "vlan" -> tags = new int[] {0x8100};
                case "qinq" -> tags = new int[] {0x88A8, 0x8100};
                case "frag-first" -> fragment = 1;
                case "frag-later" -> fragment = 2;
                default -> cut = Integer.parseInt(t[i].substring("cut=".length()));
            }
        }
        int number = switch (proto) {
            case "tcp" -> 6;
            case "udp" -> 17;
            case "icmp" -> 1;
            case "icmpv6" -> 58;
            default -> Integer.parseInt(proto);
        };
        int sp = src[1] == null ? 0 : Integer.parseInt(src[1]);
        int dp = dst[1] == null ? 0 : Integer.parseInt(dst[1]);
        byte[] l4 = switch (number) {
            case 6 -> Frames.tcp(sp, dp, new byte[40]);
            case 17 -> Frames.udp(sp, dp, new byte[40]);
            default -> Frames.icmpEcho(1, new byte[40]);
        };
        if (fragment == 2) {
            l4 = new byte[48]; // a later fragment: payload bytes, no header
        }
        byte[] frame;
        if (v6) {
            byte[] ip = fragment == 0 ? Frames.ipv6(number, src[0], dst[0], l4)
                    : Frames.ipv6(44, src[0], dst[0], Frames.ipv6Fragment(number, fragment == 1 ? 0 : 100, fragment == 1, l4));
            frame = Frames.ethernet(0x86DD, ip, tags);
        } else {
            int flags = fragment == 1 ? 0x2000 : fragment == 2 ? 0x0064 : 0;
            frame = Frames.ethernet(0x0800, Frames.ipv4(number, src[0], dst[0], l4, flags, -1), tags);
        }
        return cut > 0 ? Arrays.copyOf(frame, cut) : frame;
    }

    private static String[] hostPort(String text) {
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            String port = close + 1 < text.length() ? text.substring(close + 2) : null;
            return new String[] {text.substring(1, close), port};
        }
        int colon = text.indexOf(':');
        return colon < 0 ? new String[] {text, null} : new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }
}
