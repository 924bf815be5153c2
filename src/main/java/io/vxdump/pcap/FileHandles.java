package io.vxdump.pcap;

/**
 * Keeps the number of open {@code .part} files of one writer under a budget derived from the
 * process's file-descriptor limit: when the budget is spent, the least recently written session
 * closes its file descriptor (the file stays a {@code .part} and is reopened at its next write).
 * Thousands of sessions then cost no more descriptors than the budget, and the fd limit never
 * turns into lost packets. Writer thread only.
 */
final class FileHandles {
    private final int budget;
    private final LruList open = new LruList();
    private long reopened;

    FileHandles(int budget) {
        this.budget = Math.max(1, budget);
    }

    /** Called before opening a file for {@code o}: closes the oldest other file if the budget is spent. */
    void makeRoom(SessionOutput o) {
        while (open.size() >= budget) {
            SessionOutput oldest = open.oldest();
            if (oldest == null || oldest == o) {
                return;
            }
            oldest.closeChannel(this);
        }
    }

    void opened(SessionOutput o, boolean again) {
        open.touch(o.fileNode);
        if (again) {
            reopened++;
        }
    }

    void touch(SessionOutput o) {
        open.touch(o.fileNode);
    }

    void closed(SessionOutput o) {
        open.remove(o.fileNode);
    }

    int budget() {
        return budget;
    }

    int openFiles() {
        return open.size();
    }

    /** Times a parked file was opened again; a high rate says the budget is too small. */
    long reopened() {
        return reopened;
    }
}
