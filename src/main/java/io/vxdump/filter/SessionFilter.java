package io.vxdump.filter;

import io.vxdump.packet.InnerFrame;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A session's filter, compiled once per configuration: the monitored addresses that tell a
 * packet's direction, the rules in evaluation order (lowest number first; the first match
 * decides) and the default action for a packet no rule matches.
 *
 * <p>{@link #decide} returns the index of the deciding rule, or {@link #rules()}.size() for the
 * default, so the caller can count per rule without this shared object holding counters.
 */
public final class SessionFilter {
    /** A session without a filter: keeps everything. */
    public static final SessionFilter KEEP_ALL = new SessionFilter(Monitored.OUTER_SOURCE, List.of(), Action.ACCEPT);

    private final Monitored monitored;
    private final List<FilterRule> rules;
    private final CompiledRule[] compiled;
    private final Action defaultAction;
    private final boolean defaultAccept;

    public SessionFilter(Monitored monitored, List<FilterRule> rules, Action defaultAction) {
        List<FilterRule> sorted = new ArrayList<>(rules);
        // The same number may stand once per direction; inbound before outbound keeps the order stable.
        sorted.sort(Comparator.comparingInt(FilterRule::number).thenComparing(FilterRule::direction));
        this.monitored = monitored;
        this.rules = List.copyOf(sorted);
        this.compiled = sorted.stream().map(CompiledRule::new).toArray(CompiledRule[]::new);
        this.defaultAction = defaultAction;
        this.defaultAccept = defaultAction == Action.ACCEPT;
    }

    /**
     * The index of the rule that decides {@code f}, or {@code rules().size()} when none matches.
     *
     * @param outerSource4 the datagram's outer IPv4 source as an int (valid if {@code outerIsIpv4})
     */
    public int decide(InnerFrame f, int outerSource4, boolean outerIsIpv4) {
        CompiledRule[] r = compiled;
        if (r.length == 0) {
            return 0;
        }
        Direction d = monitored.direction(f, outerSource4, outerIsIpv4);
        for (int i = 0; i < r.length; i++) {
            if (r[i].matches(f, d)) {
                return i;
            }
        }
        return r.length;
    }

    /** True when the decision keeps the packet. */
    public boolean keeps(int decision) {
        return decision < compiled.length ? compiled[decision].accept() : defaultAccept;
    }

    /** Same monitored addresses, rules and default: the same decision for every packet (a reload keeps the session's view). */
    @Override
    public boolean equals(Object o) {
        return o instanceof SessionFilter f && monitored.equals(f.monitored) && rules.equals(f.rules)
                && defaultAction == f.defaultAction;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(monitored, rules, defaultAction);
    }

    /** Rules in evaluation order. */
    public List<FilterRule> rules() {
        return rules;
    }

    /** Possible decisions: one per rule and the default. */
    public int decisions() {
        return compiled.length + 1;
    }

    public Action defaultAction() {
        return defaultAction;
    }

    public Monitored monitored() {
        return monitored;
    }

    /** The rule table as check-config prints it, in evaluation order. */
    public String describe(String indent) {
        StringBuilder s = new StringBuilder();
        s.append(indent).append("monitored: ").append(monitored.describe()).append('\n');
        if (rules.isEmpty() && defaultAccept) {
            s.append(indent).append("filter: none (keeps everything)\n");
            return s.toString();
        }
        s.append(indent).append("filter, in evaluation order (first match decides):\n");
        for (FilterRule r : rules) {
            s.append(indent).append("  ").append(r.describe()).append('\n');
        }
        s.append(indent).append("  default ").append(defaultAction.label()).append('\n');
        return s.toString();
    }
}
