package io.vxdump.config;

import io.vxdump.packet.Encapsulation;
import java.net.InetSocketAddress;

/**
 * One address vxdump receives on, and how datagrams arrive there: {@code [vxlan:|geneve:]HOST:PORT},
 * VXLAN when no prefix is given.
 */
public record Listener(Encapsulation encapsulation, InetSocketAddress address) {

    /** Parses {@code [vxlan:|geneve:]HOST:PORT}. */
    public static Listener parse(String text) {
        String t = text.trim();
        for (Encapsulation e : Encapsulation.values()) {
            String prefix = e.label() + ":";
            if (t.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return new Listener(e, HostPort.parse(t.substring(prefix.length())));
            }
        }
        int colon = t.indexOf(':');
        if (!t.startsWith("[") && colon > 0 && colon != t.lastIndexOf(':') && t.substring(0, colon).matches("[A-Za-z]+")) {
            throw new IllegalArgumentException("'" + text + "': the encapsulation is vxlan: or geneve:");
        }
        return new Listener(Encapsulation.VXLAN, HostPort.parse(t));
    }

    /** As written in the configuration: {@code geneve:0.0.0.0:6081}. */
    public String format() {
        return encapsulation.label() + ":" + HostPort.format(address);
    }

    /** The same listener on another address (the port a port-0 bind got). */
    public Listener at(InetSocketAddress bound) {
        return new Listener(encapsulation, bound);
    }
}
