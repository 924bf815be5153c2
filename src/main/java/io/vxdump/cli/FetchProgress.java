package io.vxdump.cli;

import io.vxdump.fetch.Fetcher;
import java.io.PrintWriter;

/**
 * Fetch's warnings and notices on standard error, one line each, and, when standard error is a
 * terminal, a progress line rewritten in place (files, packets written) that a pipe never gets.
 */
final class FetchProgress implements Fetcher.Listener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int selected;
    private boolean shown;

    FetchProgress(PrintWriter err, boolean terminal, int selected) {
        this.err = err;
        this.terminal = terminal;
        this.selected = selected;
    }

    @Override
    public void warning(String line) {
        clear();
        err.println("vxdump: " + line);
        err.flush();
    }

    @Override
    public void notice(String line) {
        warning(line);
    }

    @Override
    public void progress(Fetcher.Progress p) {
        if (terminal) {
            err.print("\r\033[Kvxdump fetch: " + p.files() + "/" + selected + " file(s) opened, " + p.packets() + " packet(s) written");
            err.flush();
            shown = true;
        }
    }

    /** Takes the progress line away before another line or the summary. */
    void clear() {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }
}
