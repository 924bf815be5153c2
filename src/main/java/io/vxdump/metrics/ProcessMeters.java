package io.vxdump.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process metrics every Prometheus client exports and dashboards expect, under their standard
 * names: {@code process_cpu_seconds_total} (Micrometer counts CPU in nanoseconds, which the lint
 * leaves out), {@code process_resident_memory_bytes} (from {@code /proc/self/status}; Micrometer has
 * none), and {@code vxdump_build_info{version,revision}}.
 */
public final class ProcessMeters implements MeterBinder {
    private static final Path STATUS = Path.of("/proc/self/status");

    @Override
    public void bindTo(MeterRegistry registry) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("CPU time used by the process, user and system, in seconds")
                    .register(registry);
        }
        if (Files.isReadable(STATUS)) {
            Gauge.builder("process.resident.memory", ProcessMeters::residentBytes)
                    .baseUnit("bytes")
                    .description("resident set size of the process (VmRSS), in bytes")
                    .register(registry);
        }
        BuildInfo build = BuildInfo.current();
        Gauge.builder("vxdump.build.info", () -> 1)
                .tags("version", build.version(), "revision", build.revision())
                .description("1, labelled with the version and git revision of the running build")
                .register(registry);
    }

    /** VmRSS from /proc/self/status (kB), in bytes; NaN when it cannot be read. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the gauge reads as NaN, which Prometheus shows as missing data
        }
        return Double.NaN;
    }
}
