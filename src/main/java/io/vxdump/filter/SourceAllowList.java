package io.vxdump.filter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The outer source addresses allowed to send ({@code allow-sources}); checked before anything else.
 * IPv4 senders are checked without allocation ({@link Inet4Address#hashCode()} is the address);
 * IPv6 senders, which AWS does not use, copy their 16 bytes once.
 */
public final class SourceAllowList {
    private final Cidr[] blocks;

    public SourceAllowList(List<Cidr> blocks) {
        this.blocks = blocks.toArray(new Cidr[0]);
    }

    public boolean allows(InetAddress sender) {
        if (sender instanceof Inet4Address) {
            return allows4(sender.hashCode());
        }
        byte[] b = sender.getAddress();
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        return allows6(hi, lo);
    }

    /** An IPv4 address given as an int (a GENEVE datagram's mirror source). */
    public boolean allows4(int address) {
        for (Cidr c : blocks) {
            if (c.contains4(address)) {
                return true;
            }
        }
        return false;
    }

    /** An IPv6 address given as two longs. */
    public boolean allows6(long hi, long lo) {
        for (Cidr c : blocks) {
            if (c.contains6(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    public String describe() {
        StringBuilder s = new StringBuilder();
        for (Cidr c : blocks) {
            s.append(s.length() == 0 ? "" : ", ").append(c);
        }
        return s.toString();
    }
}
