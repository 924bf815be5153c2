package io.vxdump.testing;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need something from the machine (root, a kernel feature, ../shared) skip with a
 * message where it is missing, except under CI ({@code CI=true}), where a skip would hide a test
 * that must run, so it fails instead.
 */
public final class Requirements {
    private Requirements() {
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Skips (or fails under CI) with {@code why} unless {@code met}. */
    public static void require(boolean met, String why) {
        if (met) {
            return;
        }
        if (underCi()) {
            fail("required under CI=true: " + why);
        }
        Assumptions.abort(why);
    }

    /** Skips with {@code why} unless {@code met}, also under CI: for inputs that may legitimately be absent. */
    public static void assume(boolean met, String why) {
        Assumptions.assumeTrue(met, why);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs a command, returning its exit status (output discarded). */
    public static int sh(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (Exception e) {
            return -1;
        }
    }
}
