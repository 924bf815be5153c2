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
    private final java.util.List<io.vxdump.fetch.ArchiveSource> sources;
    private boolean shown;

    FetchProgress(PrintWriter err, boolean terminal, int selected, java.util.List<io.vxdump.fetch.ArchiveSource> sources) {
        this.err = err;
        this.terminal = terminal;
        this.selected = selected;
        this.sources = sources;
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
            StringBuilder line = new StringBuilder("\r\033[Kvxdump fetch: ").append(p.files()).append('/').append(selected)
                    .append(" file(s) opened, ").append(p.packets()).append(" packet(s) written");
            for (io.vxdump.fetch.ArchiveSource s : sources) {
                if (!s.transferred().isEmpty()) {
                    line.append(", ").append(s.transferred());
                }
            }
            err.print(line);
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
