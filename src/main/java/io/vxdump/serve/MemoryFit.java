package io.vxdump.serve;

import io.vxdump.config.ConfigException;
import io.vxdump.config.Units;
import io.vxdump.config.WriteConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The staging rings and write blocks are fixed at start, in direct memory: refuse at once (exit 2,
 * naming the keys) a configuration whose buffers the JVM's direct-memory cap, the machine or the
 * cgroup's memory limit cannot hold, rather than fail with an OutOfMemoryError or be killed later.
 */
final class MemoryFit {
    /** Netty's receive batches, the warm-up's rings and writer: direct memory beyond ours. */
    private static final long OVERHEAD = 32L << 20;

    private MemoryFit() {
    }

    static void require(int lanes, int writers, WriteConfig write) throws ConfigException {
        long ring = Long.highestOneBit(Math.max(64 << 10, write.ringSize() - 1)) << 1;
        long needed = lanes * writers * ring + writers * write.blockMemory() + OVERHEAD;
        String what = "staging rings (" + lanes + " × " + writers + " × " + Units.formatSize(ring) + ") and write blocks ("
                + writers + " × " + Units.formatSize(write.blockMemory()) + ") need " + mib(needed);
        String lower = "lower staging.ring-size, writer.buffer-memory or receive.threads";
        long allowed = io.netty.util.internal.PlatformDependent.maxDirectMemory();
        if (allowed > 0 && needed > allowed) {
            throw new ConfigException("staging.ring-size: " + what + " of direct memory and the JVM allows " + mib(allowed)
                    + ": raise -XX:MaxDirectMemorySize (or -Xmx), or " + lower);
        }
        long heap = Runtime.getRuntime().maxMemory();
        long physical = physicalMemory();
        if (physical > 0 && needed + heap > physical) {
            throw new ConfigException("staging.ring-size: " + what + ", with the " + mib(heap) + " heap more than this "
                    + "machine's " + mib(physical) + " of memory: " + lower);
        }
        long cgroup = cgroupLimit();
        if (cgroup > 0 && needed + heap > cgroup) {
            throw new ConfigException("staging.ring-size: " + what + ", with the " + mib(heap) + " heap more than the "
                    + "cgroup's memory limit of " + mib(cgroup) + " (MemoryMax): " + lower + ", or raise the limit");
        }
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + "MiB";
    }

    private static long physicalMemory() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 0;
    }

    /**
     * The tightest memory.max (cgroup v2) on the path from this process's cgroup to the root, or
     * 0 when there is none (or cgroup v1, where the JVM's own container support applies).
     */
    static long cgroupLimit() {
        try {
            String self = Files.readAllLines(Path.of("/proc/self/cgroup")).stream()
                    .filter(l -> l.startsWith("0::")).findFirst().map(l -> l.substring(3)).orElse(null);
            if (self == null) {
                return 0;
            }
            long limit = 0;
            for (Path p = Path.of("/sys/fs/cgroup", self); p.startsWith("/sys/fs/cgroup"); p = p.getParent()) {
                Path max = p.resolve("memory.max");
                if (Files.isReadable(max)) {
                    String v = Files.readString(max).trim();
                    if (!v.equals("max")) {
                        long n = Long.parseLong(v);
                        limit = limit == 0 ? n : Math.min(limit, n);
                    }
                }
                if (p.equals(Path.of("/sys/fs/cgroup"))) {
                    break;
                }
            }
            return limit;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
