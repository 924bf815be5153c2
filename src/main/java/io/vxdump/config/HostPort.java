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
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
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
