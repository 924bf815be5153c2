package io.vxdump.config;

import java.util.Locale;

/**
 * How datagrams reach the receive threads ({@code receive.path}): through the listener's UDP
 * socket, through an AF_PACKET ring the kernel fills in its receive softirq (needs CAP_NET_RAW;
 * see README, "The ring receive path"), or, by default, the ring where the process may open one
 * and the socket otherwise.
 */
public enum ReceivePath {
    AUTO, SOCKET, RING;

    /** {@code auto}, {@code socket} or {@code ring}; anything else is an {@link IllegalArgumentException} naming it. */
    public static ReceivePath parse(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> AUTO;
            case "socket" -> SOCKET;
            case "ring" -> RING;
            default -> throw new IllegalArgumentException("'" + v + "' is not auto, socket or ring");
        };
    }

    /** The configuration's word for it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
