package io.vxdump.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Wireshark's command-line tools as readers of our files. */
public final class Tshark {
    private Tshark() {
    }

    /** Runs a command and returns its standard output; fails the test on a non-zero exit. */
    public static String run(String... command) {
        Requirements.requireProgram(command[0], command[0].equals("tshark") ? "tshark" : "wireshark-common");
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + " (install tshark): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Per packet: {@code frame.len frame.cap_len frame.time_epoch} as tshark prints them. */
    public static List<String[]> frames(Path file) {
        String out = run("tshark", "-n", "-r", file.toString(), "-T", "fields",
                "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch", "-e", "data.data");
        List<String[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                rows.add(line.split("\t", -1));
            }
        }
        return rows;
    }

    /** capinfos' machine-readable summary of the file, or fails the test if it cannot read it. */
    public static String capinfos(Path file) {
        return run("capinfos", "-M", "-t", "-c", "-E", "-l", file.toString());
    }
}
