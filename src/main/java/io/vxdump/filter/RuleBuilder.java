package io.vxdump.filter;

import java.util.List;

/**
 * Builds a {@link FilterRule} from the key/value text a user wrote, in YAML or on the command
 * line. Each setter names what is wrong in its {@link IllegalArgumentException}; the caller adds
 * where (file:line, or the flag).
 */
public final class RuleBuilder {
    /** The keys of a rule, as YAML and {@code --rule} spell them. */
    public static final List<String> KEYS = List.of("number", "direction", "action", "protocol", "source",
            "destination", "source-port", "destination-port", "description");

    private Integer number;
    private Direction direction;
    private Action action;
    private int protocol = Protocols.ALL;
    private Cidr source;
    private Cidr destination;
    private PortRange sourcePort;
    private PortRange destinationPort;
    private String description;

    /** Sets one key; an unknown key is an error. */
    public RuleBuilder set(String key, String value) {
        switch (key) {
            case "number" -> {
                try {
                    number = Integer.parseInt(value.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("'" + value + "' is not a rule number (1..32766)");
                }
            }
            case "direction" -> direction = Direction.parse(value);
            case "action" -> action = Action.parse(value);
            case "protocol" -> protocol = Protocols.parse(value);
            case "source" -> source = Cidr.parse(value);
            case "destination" -> destination = Cidr.parse(value);
            case "source-port" -> sourcePort = PortRange.parse(value);
            case "destination-port" -> destinationPort = PortRange.parse(value);
            case "description" -> description = value;
            default -> throw new IllegalArgumentException("unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
        }
        return this;
    }

    /** The rule; an error when a required key is missing or the keys contradict each other. */
    public FilterRule build() {
        if (number == null) {
            throw new IllegalArgumentException("a rule needs a number");
        }
        if (direction == null) {
            throw new IllegalArgumentException("rule " + number + " needs a direction (inbound, outbound or any)");
        }
        if (action == null) {
            throw new IllegalArgumentException("rule " + number + " needs an action (accept or reject)");
        }
        return new FilterRule(number, direction, action, protocol, source, destination, sourcePort, destinationPort,
                description);
    }

    /**
     * Parses the command line's compact form: {@code NUMBER DIRECTION ACTION [key=value ...]} with
     * the YAML keys, e.g. {@code "100 inbound reject protocol=tcp destination=10.0.0.0/16 destination-port=https"}.
     */
    public static FilterRule parseCompact(String text) {
        String[] tokens = text.trim().split("\\s+");
        if (tokens.length < 3) {
            throw new IllegalArgumentException("'" + text + "': expected NUMBER DIRECTION ACTION [key=value ...]");
        }
        RuleBuilder b = new RuleBuilder().set("number", tokens[0]).set("direction", tokens[1]).set("action", tokens[2]);
        for (int i = 3; i < tokens.length; i++) {
            int eq = tokens[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + tokens[i] + "' is not key=value");
            }
            b.set(tokens[i].substring(0, eq), tokens[i].substring(eq + 1));
        }
        return b.build();
    }
}
