package io.vxdump.fetch;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time a fetch selects: records with {@code from <= timestamp < to}, in nanoseconds since the
 * epoch, exactly (a record at {@code from} is in, one at {@code to} is out).
 */
public record TimeWindow(long fromNanos, long toNanos) {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d+)(s|m|h|d)");

    public TimeWindow {
        if (toNanos <= fromNanos) {
            throw new IllegalArgumentException("--to must be later than --from");
        }
    }

    /** True when a record stamped {@code nanos} is selected. */
    public boolean contains(long nanos) {
        return nanos >= fromNanos && nanos < toNanos;
    }

    /**
     * A time as a user types it: RFC 3339 ({@code 2026-12-01T10:02:00Z}, any offset, up to
     * nanoseconds), {@code now}, or a time before now ({@code -15m}, {@code -2h}, {@code -30s},
     * {@code -1d}).
     */
    public static long parse(String text, Instant now) {
        String t = text.trim();
        if (t.equals("now")) {
            return nanos(now);
        }
        Matcher m = RELATIVE.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            long unit = switch (m.group(2)) {
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86_400;
                default -> 1;
            };
            return nanos(now) - n * unit * 1_000_000_000L;
        }
        try {
            return nanos(OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + text + "' is not a time (RFC 3339 such as 2026-12-01T10:02:00Z, "
                    + "now, or -15m, -2h, -30s, -1d)");
        }
    }

    private static long nanos(Instant i) {
        return Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L), i.getNano());
    }

    @Override
    public String toString() {
        return format(fromNanos) + " to " + format(toNanos);
    }

    private static String format(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }
}
