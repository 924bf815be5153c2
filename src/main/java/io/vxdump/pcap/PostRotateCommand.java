package io.vxdump.pcap;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the user's post-rotate command on a finished file: {@code /bin/sh -c '<command> "$1"'} with
 * the path as {@code $1}, so the path is appended as one argument whatever characters it holds.
 */
final class PostRotateCommand {
    private static final Logger LOG = LoggerFactory.getLogger(PostRotateCommand.class);
    private static final long TIMEOUT_MINUTES = 30;

    private final String command;

    PostRotateCommand(String command) {
        this.command = command;
    }

    void run(Path file) {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", command + " \"$1\"", "vxdump-post-rotate",
                file.toString()).inheritIO();
        try {
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                LOG.warn("post-rotate command for {} still running after {} minutes; killed", file, TIMEOUT_MINUTES);
                return;
            }
            if (p.exitValue() != 0) {
                LOG.warn("post-rotate command for {} exited with status {}", file, p.exitValue());
            }
        } catch (IOException e) {
            LOG.warn("post-rotate command for {} could not start: {}", file, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
