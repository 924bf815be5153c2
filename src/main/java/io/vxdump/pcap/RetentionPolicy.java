package io.vxdump.pcap;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes a session's oldest finished files until it keeps at most {@code maxFiles} files and
 * {@code maxBytes} bytes. The newest file always stays: a limit smaller than one file must not
 * throw away the evidence just written. Names sort in the order files were written.
 */
final class RetentionPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionPolicy.class);

    private final Retention limits;

    RetentionPolicy(Retention limits) {
        this.limits = limits;
    }

    /** Applies the limits to {@code directory}; returns how many files were deleted. */
    int apply(Path directory, String prefix) {
        return apply(directory, prefix, FinishedFileSink.NONE);
    }

    /** Applies the limits, deleting only what {@code sink} allows (a file not yet uploaded stays). */
    int apply(Path directory, String prefix, FinishedFileSink sink) {
        if (limits.unlimited()) {
            return 0;
        }
        List<Path> files = new ArrayList<>();
        long total = 0;
        try (DirectoryStream<Path> all = Files.newDirectoryStream(directory)) {
            for (Path f : all) {
                if (FileNaming.isFinished(prefix, f.getFileName().toString())) {
                    files.add(f);
                }
            }
            files.sort(null);
            long[] sizes = new long[files.size()];
            for (int i = 0; i < sizes.length; i++) {
                sizes[i] = Files.size(files.get(i));
                total += sizes[i];
            }
            int deleted = 0;
            int count = files.size();
            for (int i = 0; i < files.size() - 1 && over(count, total); i++) {
                if (!sink.mayDelete(files.get(i))) {
                    continue; // waits for its upload; counted against the limits all the same
                }
                if (Files.deleteIfExists(files.get(i))) {
                    sink.deleted(files.get(i));
                    deleted++;
                }
                total -= sizes[i];
                count--;
            }
            return deleted;
        } catch (IOException e) {
            LOG.warn("retention in {} failed: {}", directory, e.toString());
            return 0;
        }
    }

    private boolean over(int count, long bytes) {
        return (limits.maxFiles() > 0 && count > limits.maxFiles())
                || (limits.maxBytes() > 0 && bytes > limits.maxBytes());
    }
}
