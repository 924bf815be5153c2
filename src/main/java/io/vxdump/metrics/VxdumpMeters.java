package io.vxdump.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vxdump.archive.DiskRetention;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.SessionTable;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * vxdump's own meters, all read at scrape time from the plain counters the threads keep: nothing
 * is looked up or incremented through Micrometer on the packet path. The families with a
 * {@code session} label are not Micrometer meters: {@link SessionSeries} writes them at each scrape
 * from the sessions there are then ({@link #writeSessionSeries}).
 */
public final class VxdumpMeters {
    /** The {@code session} label of drops that happen before a session is known. */
    static final String NO_SESSION = "";
    /** The {@code session} label of the counts of forgotten sessions (made for unknown VNIs, long expired). */
    static final String EXPIRED = "(expired)";

    private final MeterRegistry registry;
    private final SessionTable sessions;
    // Micrometer holds a meter's state object weakly: these fields keep it alive as long as the meters.
    private final List<DatagramProcessor> processors;
    private final KernelUdpCounters kernel = new KernelUdpCounters();
    private final Accounting accounting;
    private final Path output;
    private final List<PcapWriter> writers;
    private final SocketDrops socketDrops;
    private final DiskRetention retention;
    private final SessionSeries series;
    // Held here: Micrometer keeps a meter's state object only weakly.
    private io.vxdump.upload.S3Shipper shipper;
    private io.vxdump.archive.ArchiveIndex index;
    private final java.util.function.Supplier<java.util.Map<io.vxdump.config.Listener, Long>> byListener;
    private final java.util.Set<io.vxdump.config.Listener> registeredListeners = new java.util.HashSet<>();

    public VxdumpMeters(MeterRegistry registry, List<DatagramProcessor> processors, SessionTable sessions,
                        Accounting accounting, Path output, List<PcapWriter> writers,
                        java.util.function.Supplier<long[]> socketInodes, java.util.function.LongSupplier ringDrops,
                        DiskRetention retention,
                        java.util.function.Supplier<java.util.Map<io.vxdump.config.Listener, Long>> byListener) {
        this.registry = registry;
        this.sessions = sessions;
        this.processors = List.copyOf(processors);
        this.accounting = accounting;
        this.output = output;
        List<DatagramProcessor> ps = this.processors;
        FunctionCounter.builder("vxdump.datagrams.received", ps, p -> sum(p, DatagramProcessor::received))
                .description("UDP datagrams read from the receive sockets").register(registry);
        Gauge.builder("vxdump.packets.pending", accounting, a -> a.totals().pending())
                .description("packets staged, not yet written").register(registry);
        Gauge.builder("vxdump.sessions", sessions, SessionTable::routedSessions)
                .description("mirror sessions packets go to now, configured and made for unknown VNIs").register(registry);
        Gauge.builder("vxdump.sessions.expired", sessions, SessionTable::expiredSessions)
                .description("sessions made for unknown VNIs that ended after unknown-vni-expire without a packet and are "
                        + "remembered (a packet of their VNI brings them back)").register(registry);
        Gauge.builder("vxdump.output.free.bytes", output, VxdumpMeters::usableSpace)
                .description("bytes the output file system has free for vxdump").register(registry);
        this.socketDrops = new SocketDrops(socketInodes);
        FunctionCounter.builder("vxdump.receive.socket.drops", socketDrops, d -> d.drops() + ringDrops.getAsLong())
                .description("datagrams the kernel dropped on vxdump's own receive sockets (their drops in /proc/net/udp), "
                        + "or with receive.path: ring, that its rings had no room for")
                .register(registry);
        FunctionCounter.builder("vxdump.udp.receive.buffer.errors", kernel, KernelUdpCounters::receiveBufferErrors)
                .description("UDP datagrams the kernel dropped for a full socket buffer (RcvbufErrors, whole namespace)")
                .register(registry);
        FunctionCounter.builder("vxdump.udp.in.errors", kernel, KernelUdpCounters::inErrors)
                .description("UDP datagrams the kernel could not deliver (InErrors, whole namespace)").register(registry);
        this.writers = List.copyOf(writers);
        Gauge.builder("vxdump.writer.open.files", this.writers, w -> w.stream().mapToLong(PcapWriter::openFiles).sum())
                .description("capture files the writers hold open (bounded by writer.max-open-files)").register(registry);
        FunctionCounter.builder("vxdump.writer.files.reopened", this.writers,
                        w -> w.stream().mapToLong(PcapWriter::filesReopened).sum())
                .description("files closed to stay within the open-file budget and opened again").register(registry);
        this.retention = retention;
        this.byListener = byListener;
        this.series = new SessionSeries(sessions, processors, retention);
        Gauge.builder("vxdump.output.kept.files", retention, DiskRetention::keptFiles)
                .description("finished files of this instance in the output directory").register(registry);
        Gauge.builder("vxdump.output.kept.bytes", retention, DiskRetention::keptBytes)
                .description("bytes of finished files of this instance in the output directory").register(registry);
        Gauge.builder("vxdump.output.oldest.file.timestamp.seconds", retention, DiskRetention::oldestFileSeconds)
                .description("first packet of the oldest finished file kept, seconds since the epoch: how far back the archive reaches")
                .register(registry);
        registerNewSessions();
    }

    /**
     * Registers the meters of listeners not yet seen (a reload may add one); run about once a
     * second and before each scrape, off the HTTP loop.
     */
    public synchronized void registerNewSessions() {
        for (io.vxdump.config.Listener l : byListener.get().keySet()) {
            if (registeredListeners.add(l)) {
                FunctionCounter.builder("vxdump.listener.datagrams.received", byListener, m -> m.get().getOrDefault(l, 0L))
                        .tags("listener", l.format(), "encapsulation", l.encapsulation().label())
                        .description("UDP datagrams read on one listener's sockets").register(registry);
            }
        }
    }

    /**
     * Appends the families with a {@code session} label (drops, writes, filter decisions, files) to
     * a scrape's body, in the Prometheus text format or OpenMetrics. The scrape thread only.
     */
    public synchronized void writeSessionSeries(io.netty.buffer.ByteBuf out, boolean openMetrics) {
        series.write(out, openMetrics);
    }

    private static long sum(List<DatagramProcessor> ps, ToLongFunction<DatagramProcessor> f) {
        long total = 0;
        for (DatagramProcessor p : ps) {
            total += f.applyAsLong(p);
        }
        return total;
    }

    /** The upload meters: what went, what failed and why, what waits and for how long. */
    public void registerUploads(io.vxdump.upload.S3Shipper shipper, io.vxdump.archive.ArchiveIndex index) {
        this.shipper = shipper;
        this.index = index;
        FunctionCounter.builder("vxdump.upload.files", shipper, io.vxdump.upload.S3Shipper::filesUploaded)
                .description("finished files uploaded to the store").register(registry);
        FunctionCounter.builder("vxdump.upload.bytes", shipper, io.vxdump.upload.S3Shipper::bytesUploaded)
                .description("bytes of finished files uploaded to the store").register(registry);
        for (io.vxdump.upload.S3Shipper.Failure f : io.vxdump.upload.S3Shipper.Failure.values()) {
            FunctionCounter.builder("vxdump.upload.failures", shipper, s -> s.failures(f)).tags("kind", f.label())
                    .description("uploads that failed (and stay in the backlog), by kind").register(registry);
        }
        Gauge.builder("vxdump.upload.backlog.files", index, io.vxdump.archive.ArchiveIndex::backlogFiles)
                .description("finished files not yet uploaded").register(registry);
        Gauge.builder("vxdump.upload.backlog.bytes", index, io.vxdump.archive.ArchiveIndex::backlogBytes)
                .description("bytes of finished files waiting to be uploaded").register(registry);
        Gauge.builder("vxdump.upload.backlog.oldest.age.seconds", index, io.vxdump.archive.ArchiveIndex::oldestBacklogAgeSeconds)
                .description("how long the oldest file not yet uploaded has existed (from its first packet); 0 when none waits")
                .register(registry);
        series.uploads(retention::deletedBeforeUpload);
    }

    private static double usableSpace(Path output) {
        try {
            FileStore store = Files.getFileStore(output);
            return store.getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
