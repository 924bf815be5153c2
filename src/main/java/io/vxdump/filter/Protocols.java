package io.vxdump.filter;

import java.util.Locale;

/** Rule protocols: {@code all}, a name, or an IANA number 0..255. */
final class Protocols {
    static final int ALL = -1;

    private Protocols() {
    }

    static int parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        switch (t) {
            case "all": return ALL;
            case "tcp": return 6;
            case "udp": return 17;
            case "icmp": return 1;
            case "icmpv6": return 58;
            default:
                try {
                    int n = Integer.parseInt(t);
                    if (n >= 0 && n <= 255) {
                        return n;
                    }
                } catch (NumberFormatException ignored) {
                    // fall through to the error
                }
                throw new IllegalArgumentException("'" + text + "' is not a protocol: all, tcp, udp, icmp, icmpv6 or 0..255");
        }
    }

    static String format(int protocol) {
        return switch (protocol) {
            case ALL -> "all";
            case 6 -> "tcp";
            case 17 -> "udp";
            case 1 -> "icmp";
            case 58 -> "icmpv6";
            default -> String.valueOf(protocol);
        };
    }
}
