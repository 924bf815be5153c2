package io.vxdump.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether vxdump can do its job, for the NLB's health check: every receive socket bound, the
 * output writable, and (only when {@code max-idle} is set) a datagram seen recently. A quiet
 * mirror is not a broken one, so idleness fails the check only on request.
 */
public final class HealthCheck {
    /**
     * The answer: healthy, or the reasons it is not; and notes that do not make it unhealthy (an
     * upload backlog: a store problem must not take the target out of the load balancer).
     */
    public record Status(boolean healthy, List<String> reasons, List<String> notes) {
        /** A short JSON body. */
        public String json() {
            StringBuilder s = new StringBuilder("{\"status\":\"").append(healthy ? "ok" : "unavailable").append('"');
            if (!healthy) {
                list(s, "reasons", reasons);
            }
            if (!notes.isEmpty()) {
                list(s, "notes", notes);
            }
            return s.append("}\n").toString();
        }

        private static void list(StringBuilder s, String name, List<String> items) {
            s.append(",\"").append(name).append("\":[");
            for (int i = 0; i < items.size(); i++) {
                s.append(i == 0 ? "" : ",").append('"').append(escape(items.get(i))).append('"');
            }
            s.append(']');
        }

        private static String escape(String text) {
            StringBuilder s = new StringBuilder();
            for (char c : text.toCharArray()) {
                if (c == '"' || c == '\\') {
                    s.append('\\').append(c);
                } else if (c < 0x20) {
                    s.append(String.format("\\u%04x", (int) c));
                } else {
                    s.append(c);
                }
            }
            return s.toString();
        }
    }

    private final BooleanSupplier socketsBound;
    private final BooleanSupplier writeFailing;
    private final Supplier<String> lastWriteError;
    private final LongSupplier received;
    private final long maxIdleNanos;
    private volatile Supplier<String> note = () -> "";
    private volatile Supplier<String> condition = () -> "";
    private long lastReceived = -1;
    private long lastChange = System.nanoTime();

    public HealthCheck(BooleanSupplier socketsBound, BooleanSupplier writeFailing, Supplier<String> lastWriteError,
                       LongSupplier received, long maxIdleNanos) {
        this.socketsBound = socketsBound;
        this.writeFailing = writeFailing;
        this.lastWriteError = lastWriteError;
        this.received = received;
        this.maxIdleNanos = maxIdleNanos;
    }

    /** A further reason to be unhealthy, checked at each request (empty: none). */
    public void condition(Supplier<String> condition) {
        this.condition = condition;
    }

    /** Something worth saying that does not make vxdump unhealthy (empty: nothing). */
    public void note(Supplier<String> note) {
        this.note = note;
    }

    /** Notes whether datagrams arrived since the last call; called about once a second. */
    public synchronized void sample() {
        long now = received.getAsLong();
        if (now != lastReceived) {
            lastReceived = now;
            lastChange = System.nanoTime();
        }
    }

    public synchronized Status check() {
        sample();
        List<String> reasons = new ArrayList<>();
        if (!socketsBound.getAsBoolean()) {
            reasons.add("a receive socket is not bound");
        }
        if (writeFailing.getAsBoolean()) {
            reasons.add("output not writable: " + lastWriteError.get());
        }
        if (maxIdleNanos > 0 && System.nanoTime() - lastChange > maxIdleNanos) {
            reasons.add("no datagram for more than " + maxIdleNanos / 1_000_000_000L + " s");
        }
        String c = condition.get();
        if (!c.isEmpty()) {
            reasons.add(c);
        }
        String n = note.get();
        return new Status(reasons.isEmpty(), reasons, n.isEmpty() ? List.of() : List.of(n));
    }
}
