package io.vxdump.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A frame's addresses and ports in a few words, for {@code vxdump tail} on a terminal (as {@code tcpdump -n}). */
final class FrameSummary {
    private FrameSummary() {
    }

    static String describe(byte[] f, int caplen) {
        int off = 12;
        if (caplen < 14) {
            return "truncated frame";
        }
        int type = u16(f, off);
        while ((type == 0x8100 || type == 0x88A8) && caplen >= off + 6) { // VLAN tags
            off += 4;
            type = u16(f, off);
        }
        off += 2;
        try {
            if (type == 0x0800 && caplen >= off + 20) {
                int ihl = (f[off] & 0x0F) * 4;
                int proto = f[off + 9] & 0xFF;
                String src = InetAddress.getByAddress(slice(f, off + 12, 4)).getHostAddress();
                String dst = InetAddress.getByAddress(slice(f, off + 16, 4)).getHostAddress();
                return "IP " + ports(src, dst, proto, f, off + ihl, caplen);
            }
            if (type == 0x86DD && caplen >= off + 40) {
                int proto = f[off + 6] & 0xFF;
                String src = InetAddress.getByAddress(slice(f, off + 8, 16)).getHostAddress();
                String dst = InetAddress.getByAddress(slice(f, off + 24, 16)).getHostAddress();
                return "IP6 " + ports(src, dst, proto, f, off + 40, caplen);
            }
        } catch (UnknownHostException e) {
            return "unreadable addresses";
        }
        return type == 0x0806 ? "ARP" : String.format("ethertype 0x%04x", type);
    }

    private static String ports(String src, String dst, int proto, byte[] f, int l4, int caplen) {
        if ((proto == 6 || proto == 17) && caplen >= l4 + 4) {
            return src + "." + u16(f, l4) + " > " + dst + "." + u16(f, l4 + 2) + ": " + (proto == 6 ? "tcp" : "udp");
        }
        return src + " > " + dst + ": " + switch (proto) {
            case 1 -> "icmp";
            case 58 -> "icmp6";
            case 6 -> "tcp";
            case 17 -> "udp";
            default -> "proto " + proto;
        };
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static byte[] slice(byte[] b, int from, int length) {
        byte[] s = new byte[length];
        System.arraycopy(b, from, s, 0, length);
        return s;
    }
}
