package io.vxdump.pcap;

import java.nio.file.Path;

/**
 * The stage after the finisher: told when a session's set of finished files changed, and when a
 * writer is about to open a file (so room can be made first). Retention across sessions is one.
 */
public interface FinishedFileSink {
    /** Does nothing. */
    FinishedFileSink NONE = new FinishedFileSink() {
        @Override
        public void finished(Path sessionDirectory, String prefix) {
        }

        @Override
        public void opening() {
        }
    };

    /**
     * A file of this session was finished, post-processed and per-session retention applied: the
     * finished files of {@code prefix} in {@code sessionDirectory} are what they will be. Finisher
     * thread.
     */
    void finished(Path sessionDirectory, String prefix);

    /** A writer opens a new file now. Writer thread: must not block. */
    void opening();

    /** Whether per-session retention may delete this finished file (not while it waits for upload). */
    default boolean mayDelete(Path file) {
        return true;
    }

    /** Per-session retention deleted this file. */
    default void deleted(Path file) {
    }
}
