package io.vxdump.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vxdump.archive.DiskRetention;
import io.vxdump.filter.FilterRule;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.NamedSession;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * vxdump's own meters, all read at scrape time from the plain counters the threads keep: nothing
 * is looked up or incremented through Micrometer on the packet path. Sessions made for unknown
 * VNIs get their meters at the next scrape ({@link #registerNewSessions}), on the HTTP thread.
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
    // Held here: Micrometer keeps a meter's state object only weakly.
    private io.vxdump.upload.S3Shipper shipper;
    private io.vxdump.archive.ArchiveIndex index;
    private final java.util.function.Supplier<java.util.Map<io.vxdump.config.Listener, Long>> byListener;
    private final java.util.Set<io.vxdump.config.Listener> registeredListeners = new java.util.HashSet<>();
    /** Each known named session's meters, to remove when the table forgets it. */
    private final Map<NamedSession, List<io.micrometer.core.instrument.Meter>> sessionMeters = new IdentityHashMap<>();
    private final Map<Session, Boolean> viewsWithRules = new IdentityHashMap<>();
    private final java.util.Set<String> registeredRules = new java.util.HashSet<>();
    private boolean expiredRegistered;

    public VxdumpMeters(MeterRegistry registry, List<DatagramProcessor> processors, SessionTable sessions,
                        Accounting accounting, Path output, List<PcapWriter> writers,
                        java.util.function.Supplier<long[]> socketInodes, DiskRetention retention,
                        java.util.function.Supplier<java.util.Map<io.vxdump.config.Listener, Long>> byListener) {
        this.registry = registry;
        this.sessions = sessions;
        this.processors = List.copyOf(processors);
        this.accounting = accounting;
        this.output = output;
        List<DatagramProcessor> ps = this.processors;
        FunctionCounter.builder("vxdump.datagrams.received", ps, p -> sum(p, DatagramProcessor::received))
                .description("UDP datagrams read from the receive sockets").register(registry);
        dropped(DropReason.SOURCE_NOT_ALLOWED, NO_SESSION, ps, p -> sum(p, DatagramProcessor::notAllowed));
        dropped(DropReason.DECAP_ERROR, NO_SESSION, ps, p -> sum(p, DatagramProcessor::decapErrors));
        dropped(DropReason.GENEVE_OAM, NO_SESSION, ps, p -> sum(p, DatagramProcessor::geneveOam));
        dropped(DropReason.UNKNOWN_VNI, NO_SESSION, ps, p -> sum(p, DatagramProcessor::unknownVni));
        dropped(DropReason.SESSION_LIMIT, NO_SESSION, ps, p -> sum(p, DatagramProcessor::sessionLimit));
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
        FunctionCounter.builder("vxdump.receive.socket.drops", socketDrops, SocketDrops::drops)
                .description("datagrams the kernel dropped on vxdump's own receive sockets (their drops in /proc/net/udp)")
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
        FunctionCounter.builder("vxdump.files.deleted", retention, DiskRetention::deletedForFloor)
                .tags("reason", "min_free", "session", NO_SESSION)
                .description("finished files deleted by retention, by the limit that made room").register(registry);
        FunctionCounter.builder("vxdump.files.deleted", retention, DiskRetention::deletedForTotal)
                .tags("reason", "max_bytes_total", "session", NO_SESSION)
                .description("finished files deleted by retention, by the limit that made room").register(registry);
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
     * Registers the meters of sessions made since the last call, and of filter rules a reload gave
     * a session; run about once a second, off the scrape.
     */
    public synchronized void registerNewSessions() {
        for (io.vxdump.config.Listener l : byListener.get().keySet()) {
            if (registeredListeners.add(l)) {
                FunctionCounter.builder("vxdump.listener.datagrams.received", byListener, m -> m.get().getOrDefault(l, 0L))
                        .tags("listener", l.format(), "encapsulation", l.encapsulation().label())
                        .description("UDP datagrams read on one listener's sockets").register(registry);
            }
        }
        SessionTable.Routes routes = sessions.routes();
        Map<NamedSession, Boolean> now = new IdentityHashMap<>();
        for (NamedSession n : routes.named()) {
            now.put(n, Boolean.TRUE);
            sessionMeters.computeIfAbsent(n, this::register);
        }
        for (Session v : routes.all()) {
            if (v != null && now.containsKey(v.named()) && viewsWithRules.put(v, Boolean.TRUE) == null) {
                sessionMeters.get(v.named()).addAll(registerRules(v));
            }
        }
        // Forgotten sessions (long-expired, made for unknown VNIs): their series go, their counts
        // live on in the session="(expired)" series.
        var gone = sessionMeters.entrySet().iterator();
        while (gone.hasNext()) {
            var e = gone.next();
            if (!now.containsKey(e.getKey())) {
                e.getValue().forEach(registry::remove);
                String prefix = e.getKey().name() + "\0";
                registeredRules.removeIf(k -> k.startsWith(prefix));
                viewsWithRules.keySet().removeIf(v -> v.named() == e.getKey());
                gone.remove();
            }
        }
        if (!expiredRegistered && routes.retired().sessions() > 0) {
            expiredRegistered = true;
            registerExpired();
        }
    }

    /** The counts of forgotten sessions, under {@code session="(expired)"}, so every sum still adds up. */
    private void registerExpired() {
        Tags tags = Tags.of("session", EXPIRED);
        SessionTable t = sessions;
        FunctionCounter.builder("vxdump.packets.written", t, x -> x.routes().retired().written()).tags(tags)
                .description("packets written to files").register(registry);
        FunctionCounter.builder("vxdump.bytes.written", t, x -> x.routes().retired().bytesWritten()).tags(tags)
                .description("bytes written to files, headers included").register(registry);
        FunctionCounter.builder("vxdump.packets.filtered", t, x -> x.routes().retired().filtered()).tags(tags)
                .description("packets the session's filter did not keep").register(registry);
        FunctionCounter.builder("vxdump.packets.truncated", t, x -> x.routes().retired().truncated()).tags(tags)
                .description("packets written with caplen < origlen (mirror packet length or snaplen)").register(registry);
        FunctionCounter.builder("vxdump.files.finished", t, x -> x.routes().retired().filesFinished()).tags(tags)
                .description("files finished and renamed to .pcap").register(registry);
        FunctionCounter.builder("vxdump.files.deleted", t, x -> x.routes().retired().filesDeleted())
                .tags("reason", "session_limit", "session", EXPIRED)
                .description("finished files deleted by retention, by the limit that made room").register(registry);
        dropped(DropReason.WRITER_BACKLOG, EXPIRED, t, x -> x.routes().retired().backlogDrops());
        dropped(DropReason.WRITE_ERROR, EXPIRED, t, x -> x.routes().retired().writeErrors());
    }

    // A named session's meters add up all its views (configurations), so a reload never resets them.
    private List<io.micrometer.core.instrument.Meter> register(NamedSession s) {
        Tags tags = Tags.of("session", s.name());
        List<io.micrometer.core.instrument.Meter> m = new java.util.ArrayList<>();
        m.add(counter("vxdump.packets.written", tags, s, x -> x.output().packetsWritten(), "packets written to files"));
        m.add(counter("vxdump.bytes.written", tags, s, x -> x.output().bytesWritten(), "bytes written to files, headers included"));
        m.add(counter("vxdump.packets.filtered", tags, s, x -> x.sum(SessionLane::filtered), "packets the session's filter did not keep"));
        m.add(counter("vxdump.packets.truncated", tags, s, x -> x.sum(SessionLane::truncated),
                "packets written with caplen < origlen (mirror packet length or snaplen)"));
        m.add(counter("vxdump.files.finished", tags, s, x -> x.output().filesFinished(), "files finished and renamed to .pcap"));
        m.add(FunctionCounter.builder("vxdump.files.deleted", s, x -> x.output().filesDeleted())
                .tags("reason", "session_limit", "session", s.name())
                .description("finished files deleted by retention, by the limit that made room").register(registry));
        m.add(dropped(DropReason.WRITER_BACKLOG, s.name(), s, x -> x.sum(SessionLane::backlogDrops)));
        m.add(dropped(DropReason.WRITE_ERROR, s.name(), s, x -> x.output().writeErrors()));
        return m;
    }

    /**
     * A rule's meter, by session, rule number and direction, counts that rule's decisions in every
     * view that has it: a reload that keeps a rule keeps counting in the same series.
     */
    private List<io.micrometer.core.instrument.Meter> registerRules(Session view) {
        NamedSession s = view.named();
        List<io.micrometer.core.instrument.Meter> m = new java.util.ArrayList<>();
        List<FilterRule> rules = view.filter().rules();
        for (int i = 0; i <= rules.size(); i++) {
            String rule = i < rules.size() ? String.valueOf(rules.get(i).number()) : "default";
            String direction = i < rules.size() ? rules.get(i).direction().label() : "any";
            if (!registeredRules.add(s.name() + "\0" + rule + "\0" + direction)) {
                continue;
            }
            m.add(FunctionCounter.builder("vxdump.filter.rule.matches", s, x -> ruleMatches(x, rule, direction))
                    .tags("session", s.name(), "rule", rule, "direction", direction)
                    .description("packets whose filter decision this rule (or the default) made").register(registry));
        }
        return m;
    }

    private static long ruleMatches(NamedSession s, String rule, String direction) {
        long total = 0;
        for (Session v : s.views()) {
            List<FilterRule> rules = v.filter().rules();
            for (int i = 0; i <= rules.size(); i++) {
                boolean same = i < rules.size()
                        ? rules.get(i).direction().label().equals(direction) && String.valueOf(rules.get(i).number()).equals(rule)
                        : rule.equals("default");
                if (same) {
                    int decision = i;
                    total += v.sum(l -> l.decisions(decision));
                    break;
                }
            }
        }
        return total;
    }

    private FunctionCounter counter(String name, Tags tags, NamedSession s, ToLongFunction<NamedSession> f,
                                    String description) {
        return FunctionCounter.builder(name, s, x -> f.applyAsLong(x)).tags(tags).description(description).register(registry);
    }

    private <T> FunctionCounter dropped(DropReason reason, String session, T source, ToLongFunction<T> f) {
        return FunctionCounter.builder("vxdump.datagrams.dropped", source, x -> f.applyAsLong(x))
                .tags("reason", reason.label(), "session", session)
                .description("datagrams dropped, by reason (and session where one is known)").register(registry);
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
        FunctionCounter.builder("vxdump.files.deleted", retention, DiskRetention::deletedBeforeUpload)
                .tags("reason", "min_free_before_upload", "session", NO_SESSION)
                .description("finished files deleted by retention, by the limit that made room").register(registry);
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
