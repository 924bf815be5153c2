package io.vxdump.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;

/**
 * Makes the third-party binders' meters pass {@code promtool check metrics}: a help text for the
 * meters that have none (Netty's allocator meters), and no counter in nanoseconds where Prometheus
 * wants seconds ({@code process_cpu_time_ns_total} is left out: {@link ProcessMeters} exports the
 * standard {@code process_cpu_seconds_total}). Micrometer's JVM names are otherwise kept as they are,
 * {@code system_cpu_count} included, because the common JVM dashboards query them by those names.
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
        if (out.getDescription() == null || out.getDescription().isBlank()) {
            out = new Meter.Id(out.getName(), io.micrometer.core.instrument.Tags.of(out.getTagsAsIterable()), out.getBaseUnit(),
                    out.getName().replace('.', ' '), out.getType());
        }
        return out;
    }
}
