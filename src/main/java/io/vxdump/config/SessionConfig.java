package io.vxdump.config;

import io.vxdump.filter.SessionFilter;
import java.util.regex.Pattern;

/**
 * A configured mirror session: its VNI, its name (the directory and file prefix), its snaplen and
 * its compiled filter ({@link SessionFilter#KEEP_ALL} without one).
 */
public record SessionConfig(int vni, String name, int snaplen, SessionFilter filter) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern DEFAULT_NAME = Pattern.compile("vni-\\d+");

    /** The name of the session made for an unknown VNI. */
    public static String defaultName(int vni) {
        return "vni-" + vni;
    }

    /** Why {@code name} cannot name a session of {@code vni}, or null when it can. */
    static String nameProblem(String name, int vni) {
        if (!NAME.matcher(name).matches() || name.chars().allMatch(c -> c == '.')) {
            return "'" + name + "' is not a session name: 1 to 64 of A-Z a-z 0-9 . _ - (and not only dots)";
        }
        if (DEFAULT_NAME.matcher(name).matches() && !name.equals(defaultName(vni))) {
            return "'" + name + "' is reserved for the session of another VNI";
        }
        return null;
    }
}
