package io.vxdump.filter;

import java.util.HashMap;
import java.util.Map;

/**
 * Enforces that a rule number stands once per direction within a filter, as on AWS. A rule with
 * direction {@code any} takes its number in both directions.
 *
 * @param <W> where a rule was written (a line number, a flag position), for the message
 */
public final class RuleNumbers<W> {
    private final Map<String, W> taken = new HashMap<>();

    /** Records {@code rule}; returns where the same number was already used in a direction it shares, or null. */
    public W add(FilterRule rule, W where) {
        for (Direction d : rule.direction() == Direction.ANY
                ? new Direction[] {Direction.INBOUND, Direction.OUTBOUND} : new Direction[] {rule.direction()}) {
            W before = taken.putIfAbsent(d + ":" + rule.number(), where);
            if (before != null) {
                return before;
            }
        }
        return null;
    }
}
