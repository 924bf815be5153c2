package io.vxdump.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /**
     * tcpdump's test captures in {@code ../shared/captures} (the README's "Tests"): the directory,
     * after skipping (or failing under CI) when the clone has no {@code ../shared} beside it.
     */
    public static Path sharedCaptures() {
        Path dir = Path.of("../shared/captures");
        require(Files.isDirectory(dir), "the test captures are absent: " + dir.toAbsolutePath().normalize()
                + " (clone vxdump beside ../shared; see README, Tests)");
        return dir;
    }

    /** A program the test runs: skips (fails under CI) naming the Debian package when it is missing. */
    public static void requireProgram(String program, String debianPackage) {
        require(onPath(program), program + " is not installed (Debian package " + debianPackage
                + "; `.ci/run` installs it)");
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
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
