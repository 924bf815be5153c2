package io.vxdump.filter;

import java.util.Locale;

/** Direction of a packet as seen from the monitored interface, and of a rule. */
public enum Direction {
    INBOUND, OUTBOUND,
    /** For a rule: either direction. For a packet: the direction cannot be told. */
    ANY;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Direction parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "inbound" -> INBOUND;
            case "outbound" -> OUTBOUND;
            case "any" -> ANY;
            default -> throw new IllegalArgumentException("'" + text + "' is not a direction: inbound, outbound or any");
        };
    }
}
