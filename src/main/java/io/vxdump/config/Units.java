package io.vxdump.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes (B, KiB, MiB, GiB, TiB; a bare number is bytes) and durations (s, m, h; a bare 0 turns the
 * limit off). Errors are {@link IllegalArgumentException}s whose message the caller places.
 */
public final class Units {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    /** The longest duration whose nanoseconds fit in a long. */
    public static final long MAX_DURATION_SECONDS = Long.MAX_VALUE / 1_000_000_000L;

    private Units() {
    }

    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (a number with B, KiB, MiB, GiB or TiB)");
        }
        int shift = switch (m.group(2) == null ? "B" : m.group(2)) {
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            case "TiB" -> 40;
            default -> 0;
        };
        long n = parseNumber(m.group(1), text);
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return n << shift;
    }

    /** Seconds of a duration such as {@code 5m}. */
    public static long parseDurationSeconds(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return 0;
        }
        Matcher m = DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a number with s, m or h; 0 for off)");
        }
        long n = parseNumber(m.group(1), text);
        long unit = switch (m.group(2)) {
            case "m" -> 60;
            case "h" -> 3600;
            default -> 1;
        };
        // Durations become nanoseconds inside: anything past that (292 years) would wrap around.
        if (n > MAX_DURATION_SECONDS / unit) {
            throw new IllegalArgumentException("'" + text + "' is too long (at most " + MAX_DURATION_SECONDS / 3600 + "h)");
        }
        return n * unit;
    }

    /** Milliseconds of a short duration such as {@code 100ms} or {@code 1s}; at most an hour. */
    public static long parseDurationMillis(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return 0;
        }
        Matcher m = SHORT_DURATION.matcher(t);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (a number with ms, s, m or h; 0 for off)");
        }
        long n = parseNumber(m.group(1), text);
        long unit = switch (m.group(2)) {
            case "s" -> 1_000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1;
        };
        if (n > 3_600_000 / unit) {
            throw new IllegalArgumentException("'" + text + "' is too long (at most 1h)");
        }
        return n * unit;
    }

    /** A short duration for people: {@link #formatDuration} where whole seconds, else milliseconds. */
    public static String formatMillis(long millis) {
        return millis % 1000 == 0 ? formatDuration(millis / 1000) : millis + "ms";
    }

    /** A size for people: the largest binary unit that divides it. */
    public static String formatSize(long bytes) {
        if (bytes == 0) {
            return "0";
        }
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        while (u < units.length - 1 && bytes != 0 && bytes % 1024 == 0) {
            bytes /= 1024;
            u++;
        }
        return bytes + units[u];
    }

    /** A duration for people: the largest of h, m, s that divides it; 0 for off. */
    public static String formatDuration(long seconds) {
        if (seconds == 0) {
            return "0";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    private static long parseNumber(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text.toLowerCase(Locale.ROOT) + "' is too large");
        }
    }
}
