package io.vxdump.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * Datagrams the kernel dropped on vxdump's own receive sockets: the {@code drops} column of
 * {@code /proc/net/udp} and {@code /proc/net/udp6} for the sockets' inodes, read at scrape time.
 * Unlike the namespace-wide {@link KernelUdpCounters}, another program's overflowing socket does
 * not move it. A socket closed since (a restart of the receive side) no longer counts.
 */
public final class SocketDrops {
    /** Column of the inode and of the drop count in a /proc/net/udp line, split on blanks. */
    private static final int INODE = 9;
    private static final int DROPS = 12;
    /** Column of {@code tx_queue:rx_queue}. */
    private static final int QUEUES = 4;

    private final Supplier<long[]> inodes;
    private final List<Path> tables;

    /** @param inodes the inodes of the receive sockets, empty before they are bound */
    public SocketDrops(Supplier<long[]> inodes) {
        this(inodes, List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6")));
    }

    SocketDrops(Supplier<long[]> inodes, List<Path> tables) {
        this.inodes = inodes;
        this.tables = tables;
    }

    /** Bytes queued in the sockets' receive buffers now: the {@code rx_queue} half of column 4, hex. */
    public long queued() {
        long[] ours = inodes.get();
        long total = 0;
        for (Path table : tables) {
            for (String line : read(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length <= DROPS || !f[0].endsWith(":")) {
                    continue;
                }
                try {
                    long inode = Long.parseLong(f[INODE]);
                    for (long o : ours) {
                        if (o == inode) {
                            total += Long.parseLong(f[QUEUES].substring(f[QUEUES].indexOf(':') + 1), 16);
                            break;
                        }
                    }
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    // not a socket line
                }
            }
        }
        return total;
    }

    /** The sum of the drop counters of the sockets. */
    public long drops() {
        long[] ours = inodes.get();
        if (ours.length == 0) {
            return 0;
        }
        long total = 0;
        for (Path table : tables) {
            for (String line : read(table)) {
                String[] f = line.trim().split("\\s+");
                if (f.length <= DROPS || !f[0].endsWith(":")) {
                    continue; // the header, or a line of a layout we do not know
                }
                try {
                    long inode = Long.parseLong(f[INODE]);
                    for (long o : ours) {
                        if (o == inode) {
                            total += Long.parseLong(f[DROPS]);
                            break;
                        }
                    }
                } catch (NumberFormatException e) {
                    // not a socket line
                }
            }
        }
        return total;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
