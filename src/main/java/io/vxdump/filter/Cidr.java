package io.vxdump.filter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 CIDR block, held as masked 128-bit halves so matching is two ANDs and compares.
 * IPv4 uses only the low 32 bits of {@code low}.
 */
public record Cidr(int family, long high, long low, long highMask, long lowMask, int prefix) {

    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        if (!addr.matches("[0-9.]+") && !addr.contains(":")) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block (an address, not a name)");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block");
        }
        byte[] b = a.getAddress();
        int max = b.length * 8;
        int prefix;
        try {
            prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
        }
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not in 0.." + max);
        }
        if (a instanceof Inet4Address) {
            long value = Integer.toUnsignedLong(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            return new Cidr(4, 0, value & mask, 0, mask, prefix);
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        long hiMask = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        long loMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        return new Cidr(6, hi & hiMask, lo & loMask, hiMask, loMask, prefix);
    }

    /** True when the IPv4 address (as a big-endian int) is in this IPv4 block. */
    public boolean contains4(int address) {
        return family == 4 && (Integer.toUnsignedLong(address) & lowMask) == low;
    }

    /** True when the IPv6 address is in this IPv6 block. */
    public boolean contains6(long addressHigh, long addressLow) {
        return family == 6 && (addressHigh & highMask) == high && (addressLow & lowMask) == low;
    }

    @Override
    public String toString() {
        if (family == 4) {
            return ((low >>> 24) & 0xFF) + "." + ((low >>> 16) & 0xFF) + "." + ((low >>> 8) & 0xFF) + "." + (low & 0xFF)
                    + "/" + prefix;
        }
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b).getHostAddress().replaceAll("(^|:)0(:0)+(:|$)", "::") + "/" + prefix;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
