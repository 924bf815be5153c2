package io.vxdump.filter;

import java.util.Locale;

/** What a rule (or a filter's default) does with a packet: keep it or not. */
public enum Action {
    ACCEPT, REJECT;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Action parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "accept" -> ACCEPT;
            case "reject" -> REJECT;
            default -> throw new IllegalArgumentException("'" + text + "' is not an action: accept or reject");
        };
    }
}
