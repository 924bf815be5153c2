package io.vxdump.filter;

/**
 * One rule as AWS Traffic Mirroring defines it. {@code protocol} is an IANA number or
 * {@link #ALL_PROTOCOLS}; a null CIDR means any address, a null port range any port.
 */
public record FilterRule(int number, Direction direction, Action action, int protocol, Cidr source,
                         Cidr destination, PortRange sourcePort, PortRange destinationPort, String description) {
    public static final int ALL_PROTOCOLS = Protocols.ALL;
    public static final int MIN_NUMBER = 1;
    public static final int MAX_NUMBER = 32766;

    /** Checks what AWS checks; the message says what is wrong, the caller where. */
    public FilterRule {
        if (number < MIN_NUMBER || number > MAX_NUMBER) {
            throw new IllegalArgumentException("rule number " + number + " is not in " + MIN_NUMBER + ".." + MAX_NUMBER);
        }
        if ((sourcePort != null || destinationPort != null) && protocol != 6 && protocol != 17) {
            throw new IllegalArgumentException("ports need protocol tcp or udp, not " + Protocols.format(protocol));
        }
        if (source != null && destination != null && source.family() != destination.family()) {
            throw new IllegalArgumentException("source " + source + " and destination " + destination
                    + " mix IPv4 and IPv6");
        }
    }

    /** IP family the rule's addresses pin it to: 4, 6, or 0 for either. */
    public int family() {
        return source != null ? source.family() : destination != null ? destination.family() : 0;
    }

    /** One line: how check-config prints the rule. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(String.format("%5d %-8s %-6s %-6s", number, direction.label(), action.label(), Protocols.format(protocol)));
        s.append(' ').append(source == null ? "any" : source.toString());
        if (sourcePort != null) {
            s.append(" port ").append(sourcePort);
        }
        s.append(" -> ").append(destination == null ? "any" : destination.toString());
        if (destinationPort != null) {
            s.append(" port ").append(destinationPort);
        }
        if (description != null && !description.isEmpty()) {
            s.append("  # ").append(description);
        }
        return s.toString();
    }
}
