package io.vxdump.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's own UDP loss counters, read at scrape time: datagrams the kernel dropped before
 * vxdump could read them. {@code RcvbufErrors} (socket buffer full) and {@code InErrors} from
 * {@code /proc/net/snmp} (IPv4) plus {@code Udp6RcvbufErrors} and {@code Udp6InErrors} from
 * {@code /proc/net/snmp6}. They count for the whole network namespace, not only vxdump's sockets.
 */
public final class KernelUdpCounters {
    private final Path snmp;
    private final Path snmp6;

    public KernelUdpCounters() {
        this(Path.of("/proc/net/snmp"), Path.of("/proc/net/snmp6"));
    }

    KernelUdpCounters(Path snmp, Path snmp6) {
        this.snmp = snmp;
        this.snmp6 = snmp6;
    }

    public double receiveBufferErrors() {
        return udp4("RcvbufErrors") + udp6("Udp6RcvbufErrors");
    }

    public double inErrors() {
        return udp4("InErrors") + udp6("Udp6InErrors");
    }

    /** The field of the two "Udp:" lines (names, then values); 0 where absent. */
    private long udp4(String field) {
        List<String> lines = read(snmp);
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).startsWith("Udp: ") && lines.get(i + 1).startsWith("Udp: ")) {
                String[] names = lines.get(i).trim().split("\\s+");
                String[] values = lines.get(i + 1).trim().split("\\s+");
                for (int k = 1; k < names.length && k < values.length; k++) {
                    if (names[k].equals(field)) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        return 0;
    }

    private long udp6(String field) {
        for (String line : read(snmp6)) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2 && kv[0].equals(field)) {
                return Long.parseLong(kv[1]);
            }
        }
        return 0;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }
}
