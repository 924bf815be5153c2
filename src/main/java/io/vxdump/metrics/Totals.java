package io.vxdump.metrics;

import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of where every received datagram went. At a quiet moment
 * {@code received == written + filtered + dropped + pending}.
 */
public record Totals(long received, long written, long filtered, Map<DropReason, Long> dropped, long pending) {

    public Totals {
        dropped = Map.copyOf(new EnumMap<>(dropped));
    }

    /** All drops, whatever the reason. */
    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Datagrams not yet accounted for; zero at a quiet moment. */
    public long unaccounted() {
        return received - written - filtered - droppedTotal() - pending;
    }

    /** One log line: every count by name. */
    public String summary() {
        StringBuilder s = new StringBuilder()
                .append("received=").append(received)
                .append(" written=").append(written)
                .append(" filtered=").append(filtered)
                .append(" pending=").append(pending);
        for (DropReason r : DropReason.values()) {
            s.append(" dropped_").append(r.label()).append('=').append(dropped.getOrDefault(r, 0L));
        }
        return s.toString();
    }
}
