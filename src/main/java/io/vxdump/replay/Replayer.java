package io.vxdump.replay;

import io.vxdump.capture.CaptureReader;
import io.vxdump.capture.CapturedPacket;
import io.vxdump.capture.CaptureFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays capture files to a VXLAN target: reads each packet, encapsulates it, waits until the
 * pacing says it is due, sends it. Files play one after another and {@code loops} times over; with
 * the capture's own timing each file starts where the previous one ended.
 */
public final class Replayer {
    /** Sleeping less than this is not worth a park: send at once, flushing in batches. */
    private static final long SPIN_NANOS = 50_000;
    /**
     * Most a paced replay sends at once to catch up after a stall (a cold JVM's first sends, a
     * descheduled process): later than this, the rest of the schedule shifts later by the delay,
     * so the spacing a receiver sees stays the spacing asked for (at 20 pps a 0.2 s stall in the
     * first sends used to put five packets on the wire together).
     */
    private static final long MOST_CATCH_UP_NANOS = 10_000_000;
    private static final int BATCH = 32;

    private final InetSocketAddress target;
    private final Encapsulator encapsulator;
    private final Pacing pacing;
    private final int loops;
    private final Progress progress;
    private final GwlbWrapper geneve;
    private final long maxGapNanos;
    private final PrintStream warnings;

    /** @param geneve wraps each datagram as a GWLB would, or null to send VXLAN */
    Replayer(InetSocketAddress target, Encapsulator encapsulator, Pacing pacing, int loops, Progress progress,
             GwlbWrapper geneve) {
        this(target, encapsulator, pacing, loops, progress, geneve, 0, System.err);
    }

    /**
     * @param maxGapNanos with the capture's timing, a gap between packets longer than this is cut
     *                    to it (0: never), with one warning on {@code warnings}
     */
    Replayer(InetSocketAddress target, Encapsulator encapsulator, Pacing pacing, int loops, Progress progress,
             GwlbWrapper geneve, long maxGapNanos, PrintStream warnings) {
        this.maxGapNanos = maxGapNanos <= 0 ? Long.MAX_VALUE : maxGapNanos;
        this.warnings = warnings;
        this.target = target;
        this.encapsulator = encapsulator;
        this.pacing = pacing;
        this.loops = loops;
        this.progress = progress;
        this.geneve = geneve;
    }

    /** Creates a replayer from the command line's choices; {@code terminal} null draws no progress bar. */
    public static Replayer of(InetSocketAddress target, int vxlanPort, Integer vni, Integer sourcePort,
                              Double speed, Double pps, Double mbps, boolean topspeed, int loops, PrintStream terminal,
                              boolean asGeneve, long maxGapNanos) {
        Pacing p = topspeed ? new Pacing.TopSpeed() : pps != null ? new Pacing.PacketRate(pps)
                : mbps != null ? new Pacing.BitRate(mbps) : new Pacing.CaptureTiming(speed == null ? 1.0 : speed);
        return new Replayer(target, new Encapsulator(vxlanPort, vni, sourcePort), p, loops,
                terminal == null ? null : new Progress(terminal),
                asGeneve ? new GwlbWrapper(target.getAddress(), 0x5A5A) : null, maxGapNanos, System.err);
    }

    /** Checks that every file opens as a capture, before anything is sent. */
    public static void checkReadable(List<Path> files) throws IOException {
        for (Path f : files) {
            try {
                CaptureReader.open(f).close(); // opened: the header is good
            } catch (IOException e) {
                throw new IOException(f + ": " + message(e), e);
            }
        }
    }

    public ReplayResult run(List<Path> files) throws IOException, InterruptedException {
        List<String> problems = new ArrayList<>();
        if (progress != null) {
            progress.start(count(files) * loops);
        }
        long sent = 0;
        long bytes = 0;
        String refused = null;
        boolean gapWarned = false;
        long start = 0; // the schedule's origin: shifts later after a stall
        long began = 0; // when the first packet left
        long timelineOffset = 0;
        int portsTaken;
        try (UdpSender sender = new UdpSender(target)) {
            sender.warmUp();
            int queued = 0;
            for (int loop = 0; loop < loops; loop++) {
                for (Path file : files) {
                    long previous = Long.MIN_VALUE;
                    long latest = 0; // this file's timeline so far, gaps capped
                    long index = 0;
                    try (CaptureReader reader = CaptureReader.open(file)) {
                        CapturedPacket p;
                        while ((p = reader.next()) != null && refused == null) {
                            index++;
                            long ts = p.timestampNanos();
                            if (previous != Long.MIN_VALUE && ts > previous) {
                                long gap = ts - previous;
                                if (gap > maxGapNanos) {
                                    if (!gapWarned) {
                                        gapWarned = true;
                                        warnings.println("vxdump: " + file + ": packet " + index + " comes " + seconds(gap)
                                                + " after the one before; gaps are cut to " + seconds(maxGapNanos)
                                                + " (--max-gap)");
                                    }
                                    gap = maxGapNanos;
                                }
                                latest += gap;
                            }
                            previous = previous == Long.MIN_VALUE ? ts : Math.max(previous, ts);
                            Encapsulator.Datagram d = encapsulator.encapsulate(p);
                            if (d == null) {
                                continue;
                            }
                            long due = start + pacing.due(sent, bytes * 8, timelineOffset + latest);
                            if (sent > 0) {
                                long now = System.nanoTime();
                                if (now - due > MOST_CATCH_UP_NANOS && !(pacing instanceof Pacing.TopSpeed)) {
                                    start += now - due;
                                    due = now;
                                }
                                long wait = due - now;
                                if (wait > SPIN_NANOS) {
                                    sender.flush();
                                    queued = 0;
                                    LockSupport.parkNanos(wait);
                                }
                            }
                            byte[] payload = geneve == null ? d.payload() : geneve.wrap(d);
                            if (payload.length > Encapsulator.MAX_PAYLOAD) {
                                encapsulator.tooLarge(); // the GENEVE wrapping made it too large: counted
                                continue;
                            }
                            sender.send(payload, d.sourcePort());
                            if (sent == 0) {
                                // The schedule begins once the first packet has left: a cold JVM
                                // takes a while to open the socket and to send through it the first
                                // time, and the packets due meanwhile would go out together.
                                sender.flushAndWait();
                                began = System.nanoTime();
                                start = began - due;
                            }
                            refused = sender.refused();
                            sent++;
                            bytes += payload.length;
                            if (++queued >= BATCH) {
                                sender.flush();
                                queued = 0;
                            }
                            if (progress != null) {
                                progress.update(sent);
                            }
                        }
                    } catch (CaptureFormatException e) {
                        if (loop == 0) {
                            problems.add(file + ": " + e.getMessage()
                                    + (e.truncated() ? "; the packets before it were sent" : ""));
                        }
                    }
                    timelineOffset += latest;
                }
            }
            portsTaken = sender.portsUnavailable();
            sender.close(); // waits for the last writes: a refusal they met is known after it
            if (refused == null) {
                refused = sender.refused();
            }
        }
        long nanos = sent == 0 ? 0 : System.nanoTime() - began;
        if (progress != null) {
            progress.finish();
        }
        return new ReplayResult(sent, bytes, nanos, encapsulator.skipped(), problems, portsTaken, refused);
    }

    private static String seconds(long nanos) {
        double s = nanos / 1e9;
        return s >= 86400 * 365 ? String.format(java.util.Locale.ROOT, "%.0f years", s / (86400 * 365.25))
                : String.format(java.util.Locale.ROOT, "%.3f s", s);
    }

    private static long count(List<Path> files) {
        long n = 0;
        for (Path f : files) {
            try (CaptureReader r = CaptureReader.open(f)) {
                while (r.next() != null) {
                    n++;
                }
            } catch (IOException e) {
                // counted up to the problem; the replay itself reports it
            }
        }
        return n;
    }

    static String message(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
