package io.vxdump.filter;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 CIDR block, held as masked 128-bit halves so matching is two ANDs and compares.
 * IPv4 uses only the low 32 bits of {@code low}.
 */
public record Cidr(int family, long high, long low, long highMask, long lowMask, int prefix) {

    private static final java.util.regex.Pattern V4 =
            java.util.regex.Pattern.compile("(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})\\.(0|[1-9]\\d{0,2})");
    private static final java.util.regex.Pattern PREFIX = java.util.regex.Pattern.compile("0|[1-9]\\d{0,2}");

    /**
     * A block as AWS writes it: four dotted decimal octets (or an IPv6 address), a slash and a
     * prefix length, with no bits set past the prefix. Everything else is refused, naming the value:
     * {@code 10.1/16}, {@code 10.1.2}, {@code 4294967295/32} and octal-looking {@code 010.0.0.0/8}
     * mean other addresses to different parsers, and {@code 10.0.0.1/8} is most likely a typo.
     */
    public static Cidr parse(String text) {
        String t = text.trim();
        int slash = t.indexOf('/');
        if (slash < 0) {
            if (t.contains(":") || V4.matcher(t).matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block: the prefix length is missing (e.g. "
                        + (t.contains(":") ? t + "/128" : t + "/32") + ")");
            }
            throw new IllegalArgumentException("'" + text + "' is not a CIDR block (four dotted decimal octets, "
                    + "a slash and a prefix length, e.g. 10.0.0.0/8)");
        }
        String addr = t.substring(0, slash);
        String pre = t.substring(slash + 1);
        boolean v6 = addr.contains(":");
        if (!PREFIX.matcher(pre).matches()) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not a number");
        }
        int prefix = Integer.parseInt(pre);
        int max = v6 ? 128 : 32;
        if (prefix > max) {
            throw new IllegalArgumentException("'" + text + "': the prefix length is not in 0.." + max);
        }
        byte[] b;
        if (v6) {
            if (!addr.matches("[0-9A-Fa-f:.]+")) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block (an IPv6 address, no zone)");
            }
            try {
                b = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block");
            }
            if (b.length != 16) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block (an IPv4 address written as IPv6)");
            }
        } else {
            java.util.regex.Matcher m = V4.matcher(addr);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a CIDR block (four dotted decimal octets, "
                        + "a slash and a prefix length, e.g. 10.0.0.0/8)");
            }
            b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    throw new IllegalArgumentException("'" + text + "' is not a CIDR block (" + octet + " is not an octet)");
                }
                b[i] = (byte) octet;
            }
        }
        Cidr c = of(b, prefix);
        if (c.hostBitsSet(b)) {
            throw new IllegalArgumentException(t + ": host bits set; did you mean " + c + "?");
        }
        return c;
    }

    /** True when {@code b} has bits set past this block's prefix. */
    private boolean hostBitsSet(byte[] b) {
        if (family == 4) {
            long value = Integer.toUnsignedLong(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
            return (value & lowMask) != value;
        }
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        return (hi & highMask) != hi || (lo & lowMask) != lo;
    }

    private static Cidr of(byte[] b, int prefix) {
        if (b.length == 4) {
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
