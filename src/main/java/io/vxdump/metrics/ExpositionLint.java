package io.vxdump.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Makes the third-party binders' meters pass {@code promtool check metrics}: a help text for the
 * meters that have none (Netty's allocator meters), no counter in nanoseconds where Prometheus
 * wants seconds ({@code process_cpu_time_ns_total} is left out; {@code process_cpu_usage} stays),
 * and no {@code _count} suffix on a gauge ({@code system_cpu_count} becomes {@code system_cpus}).
 */
public final class ExpositionLint implements MeterFilter {
    @Override
    public io.micrometer.core.instrument.config.MeterFilterReply accept(Meter.Id id) {
        return "ns".equals(id.getBaseUnit()) ? io.micrometer.core.instrument.config.MeterFilterReply.DENY
                : io.micrometer.core.instrument.config.MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        Meter.Id out = id;
        if (out.getName().equals("system.cpu.count")) {
            out = out.withName("system.cpus");
        }
        if (out.getDescription() == null || out.getDescription().isBlank()) {
            out = new Meter.Id(out.getName(), io.micrometer.core.instrument.Tags.of(out.getTagsAsIterable()), out.getBaseUnit(),
                    out.getName().replace('.', ' '), out.getType());
        }
        return out;
    }
}
