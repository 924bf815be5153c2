package io.vxdump.pcap;

import io.vxdump.metrics.LongCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of open {@code .part} files of one writer under a budget derived from the
 * process's file-descriptor limit: when the budget is spent, the least recently written session
 * closes its file descriptor (the file stays a {@code .part} and is reopened at its next write).
 * Thousands of sessions then cost no more descriptors than the budget, and the fd limit never
 * turns into lost packets. Writer thread only.
 */
final class FileHandles {
    private static final Logger LOG = LoggerFactory.getLogger(FileHandles.class);
    private final int budget;
    private final LruList open = new LruList();
    private final LongCounter reopened = new LongCounter();
    private final LongCounter openCount = new LongCounter();
    private boolean reached;

    FileHandles(int budget) {
        this.budget = Math.max(1, budget);
    }

    /** Called before opening a file for {@code o}: closes the oldest other file if the budget is spent. */
    void makeRoom(SessionOutput o, WriterContext ctx) {
        if (open.size() >= budget && !reached) {
            reached = true;
            LOG.warn("{} open files: the budget of this writer is spent; the least recently written files are "
                    + "closed and reopened when needed (raise LimitNOFILE or writer.max-open-files to avoid it)", budget);
        }
        while (open.size() >= budget) {
            SessionOutput oldest = open.oldest();
            if (oldest == null || oldest == o) {
                return;
            }
            oldest.closeChannel(ctx);
        }
    }

    void opened(SessionOutput o, boolean again) {
        open.touch(o.fileNode);
        openCount.add(1);
        if (again) {
            reopened.increment();
        }
    }

    void touch(SessionOutput o) {
        open.touch(o.fileNode);
    }

    void closed(SessionOutput o) {
        if (o.fileNode.linked) {
            open.remove(o.fileNode);
            openCount.add(-1);
        }
    }

    int budget() {
        return budget;
    }

    /** Files open now; readable from any thread. */
    long openFiles() {
        return openCount.get();
    }

    /** Times a parked file was opened again; a high rate says the budget is too small. Any thread. */
    long reopened() {
        return reopened.get();
    }
}
