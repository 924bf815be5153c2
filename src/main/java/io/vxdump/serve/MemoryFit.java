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
        long cgroup = cgroupLimit();
        if (cgroup > 0 && needed + heap > cgroup) {
            throw new ConfigException("staging.ring-size: " + what + ", with the " + mib(heap) + " heap more than the "
                    + "cgroup's memory limit of " + mib(cgroup) + " (MemoryMax): " + lower + ", or raise the limit");
        }
        long physical = physicalMemory();
        if (physical > 0 && needed + heap > physical) {
            throw new ConfigException("staging.ring-size: " + what + ", with the " + mib(heap) + " heap more than this "
                    + "machine's " + mib(physical) + " of memory: " + lower);
        }
    }

    /**
     * Most an automatic burst size gives all rings together. 2 GiB held every unpaced burst of
     * issue 17's yardstick, but making it resident took 1-8 s on a VM whose host backs memory
     * lazily: traffic in that window suffers, and the start-up's CPU grew by ~1.5 s (bench/README,
     * issue 17 step 5). Larger reserves are a setting ({@code staging.burst-size}, up to 8 GiB a ring).
     */
    static final long AUTO_BURST_MAX = 1L << 30;

    /**
     * Bytes each staging ring may grow to under a burst: the configured size, or with
     * {@code auto} a quarter of the memory the heap, the rings and the blocks leave (the machine's
     * or the cgroup's, whichever is less), at most {@link #AUTO_BURST_MAX} in all, shared by the rings.
     * The reserve is touched only by a burst the disk cannot take at once, and given back after.
     * A configured reserve the memory cannot hold is refused, naming the key.
     */
    static long burstSize(int lanes, int writers, WriteConfig write) throws ConfigException {
        long ring = Long.highestOneBit(Math.max(64 << 10, write.ringSize() - 1)) << 1;
        long rings = (long) lanes * writers;
        long memory = tighter(physicalMemory(), cgroupLimit());
        long used = Runtime.getRuntime().maxMemory() + rings * ring + writers * write.blockMemory() + OVERHEAD;
        if (write.burstSize() != WriteConfig.AUTO_BURST) {
            long burst = Math.max(ring, write.burstSize());
            if (memory > 0 && used + rings * (burst - ring) > memory) {
                throw new ConfigException("staging.burst-size: " + rings + " ring(s) growing to " + Units.formatSize(burst)
                        + " need " + mib(used + rings * (burst - ring)) + " with the heap, more than the " + mib(memory)
                        + " of memory here: lower it, or say auto");
            }
            return burst;
        }
        if (memory <= 0) {
            return ring; // not Linux: no reserve
        }
        long share = Math.min(AUTO_BURST_MAX, Math.max(0, memory - used) / 4) / rings;
        return share <= ring ? ring : Long.highestOneBit(share);
    }

    private static String mib(long bytes) {
        return (bytes >> 20) + "MiB";
    }

    /** MemTotal of /proc/meminfo: the machine's memory (the JVM's own figure is the container's limit). */
    private static long physicalMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no check
        }
        return 0;
    }

    /**
     * The tightest memory limit on the path from this process's cgroup to the root: {@code memory.max}
     * (cgroup v2) or {@code memory.limit_in_bytes} (v1's memory controller); 0 when there is none.
     */
    static long cgroupLimit() {
        try {
            long limit = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] f = line.split(":", 3);
                if (f.length < 3) {
                    continue;
                }
                if (f[0].equals("0") && f[1].isEmpty()) {
                    limit = tighter(limit, walk(Path.of("/sys/fs/cgroup"), f[2], "memory.max"));
                    limit = tighter(limit, walk(Path.of("/sys/fs/cgroup/unified"), f[2], "memory.max"));
                } else if (java.util.Arrays.asList(f[1].split(",")).contains("memory")) {
                    limit = tighter(limit, walk(Path.of("/sys/fs/cgroup/memory"), f[2], "memory.limit_in_bytes"));
                }
            }
            return limit;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long tighter(long a, long b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }

    /** The smallest limit in {@code file} from {@code root/path} up to {@code root}; 0 for none. */
    private static long walk(Path root, String path, String file) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long limit = 0;
        for (Path p = root.resolve(path.replaceFirst("^/", "")).normalize(); p.startsWith(root); p = p.getParent()) {
            Path f = p.resolve(file);
            if (Files.isReadable(f)) {
                String v = Files.readString(f).trim();
                if (!v.equals("max")) {
                    long n = Long.parseLong(v);
                    if (n < (1L << 62)) { // v1 says "no limit" with a huge page-rounded number
                        limit = tighter(limit, n);
                    }
                }
            }
            if (p.equals(root)) {
                break;
            }
        }
        return limit;
    }
}
