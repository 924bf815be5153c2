package io.vxdump.replay;

import java.util.List;
import java.util.Map;

/**
 * What a replay did: packets and payload bytes sent, how long it took, what it skipped and why;
 * {@code refused} says why the target refused the datagrams (null: it did not).
 */
public record ReplayResult(long packets, long bytes, long nanos, Map<Encapsulator.Skip, Long> skipped,
                           List<String> fileProblems, int sourcePortsTaken, String refused) {

    /** The one-line summary: packets, bytes, seconds, achieved pps and Mbps, skips and why. */
    public String summary() {
        double seconds = nanos / 1e9;
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                "sent %d packets (%d bytes) in %.3f s: %.0f pps, %.2f Mbps", packets, bytes, seconds,
                seconds > 0 ? packets / seconds : 0, seconds > 0 ? bytes * 8 / seconds / 1e6 : 0));
        long total = skipped.values().stream().mapToLong(Long::longValue).sum();
        s.append("; skipped ").append(total);
        if (total > 0) {
            StringBuilder why = new StringBuilder();
            skipped.forEach((k, v) -> why.append(why.length() == 0 ? "" : ", ").append(v).append(' ').append(k.words));
            s.append(" (").append(why).append(')');
        }
        if (sourcePortsTaken > 0) {
            s.append("; ").append(sourcePortsTaken).append(" source port(s) were in use, their flows went out from ephemeral ports");
        }
        return s.toString();
    }
}
