package io.vxdump.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@code HOST:PORT} and {@code [IPv6]:PORT} addresses, resolved once at start. */
public final class HostPort {
    private HostPort() {
    }

    public static InetSocketAddress parse(String text) {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + text + "': write IPv6 addresses as [ADDRESS]:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': the port is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("'" + text + "': the port is not in 0..65535");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + text + "': unknown host " + host);
        }
    }

    public static String format(InetSocketAddress a) {
        java.net.InetAddress address = a.getAddress();
        if (address instanceof java.net.Inet6Address) {
            return "[" + compress(address.getHostAddress()) + "]:" + a.getPort();
        }
        return address.getHostAddress() + ":" + a.getPort();
    }

    /**
     * An IPv6 address as people write it (RFC 5952): the longest run of zero groups as {@code ::},
     * so that a wildcard reads {@code [::]}, not {@code [0:0:0:0:0:0:0:0]}.
     */
    static String compress(String full) {
        int percent = full.indexOf('%');
        String scope = percent < 0 ? "" : full.substring(percent);
        String[] groups = (percent < 0 ? full : full.substring(0, percent)).split(":");
        int bestStart = -1;
        int bestLength = 1; // a single zero group stays "0"
        for (int i = 0; i < groups.length; i++) {
            int j = i;
            while (j < groups.length && groups[j].equals("0")) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = Math.max(i, j);
        }
        if (bestStart < 0) {
            return String.join(":", groups) + scope;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLength, groups.length));
        return head + "::" + tail + scope;
    }

    /**
     * Why {@code at} could not be bound, for the one line a user reads: "the address is not on this
     * host", "the port is in use", "permission denied (...)", or the kernel's own words.
     */
    public static String bindProblem(InetSocketAddress at, Throwable e) {
        String m = String.valueOf(e.getMessage());
        String where = format(at) + ": ";
        if (m.contains("assign requested address")) {
            return where + "the address is not on this host";
        }
        if (m.contains("in use")) {
            return where + "the port is in use";
        }
        if (m.contains("denied")) {
            return where + "permission denied (a port below 1024 needs CAP_NET_BIND_SERVICE)";
        }
        return where + m;
    }
}
