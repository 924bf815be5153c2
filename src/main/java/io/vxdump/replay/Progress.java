package io.vxdump.replay;

import java.io.PrintStream;
import java.util.Locale;

/** A one-line progress bar on a terminal: packets, rate, ETA; redrawn at most four times a second. */
final class Progress {
    private static final int WIDTH = 30;
    private final PrintStream out;
    private long total;
    private long start;
    private long lastDraw;

    Progress(PrintStream out) {
        this.out = out;
    }

    void start(long totalPackets) {
        total = totalPackets;
        start = System.nanoTime();
    }

    void update(long sent) {
        long now = System.nanoTime();
        if (now - lastDraw < 250_000_000L) {
            return;
        }
        lastDraw = now;
        draw(sent, now);
    }

    void finish() {
        draw(total, System.nanoTime());
        out.println();
    }

    private void draw(long sent, long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? sent / seconds : 0;
        int filled = total > 0 ? (int) Math.min(WIDTH, sent * WIDTH / total) : 0;
        String eta = rate > 0 && total > sent ? String.format(Locale.ROOT, "%.0fs", (total - sent) / rate) : "-";
        out.printf(Locale.ROOT, "\r[%s%s] %d/%d packets  %.0f pps  ETA %s   ", "=".repeat(filled),
                " ".repeat(WIDTH - filled), sent, total, rate, eta);
        out.flush();
    }
}
