package io.vxdump.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vxdump.archive.DiskRetention;
import io.vxdump.filter.FilterRule;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * vxdump's own meters, all read at scrape time from the plain counters the threads keep: nothing
 * is looked up or incremented through Micrometer on the packet path. Sessions made for unknown
 * VNIs get their meters at the next scrape ({@link #registerNewSessions}), on the HTTP thread.
 */
public final class VxdumpMeters {
    /** The {@code session} label of drops that happen before a session is known. */
    static final String NO_SESSION = "";

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
    private int registeredSessions;

    public VxdumpMeters(MeterRegistry registry, List<DatagramProcessor> processors, SessionTable sessions,
                        Accounting accounting, Path output, List<PcapWriter> writers,
                        java.util.function.Supplier<long[]> socketInodes, DiskRetention retention) {
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
        dropped(DropReason.UNKNOWN_VNI, NO_SESSION, ps, p -> sum(p, DatagramProcessor::unknownVni));
        dropped(DropReason.SESSION_LIMIT, NO_SESSION, ps, p -> sum(p, DatagramProcessor::sessionLimit));
        Gauge.builder("vxdump.packets.pending", accounting, a -> a.totals().pending())
                .description("packets staged, not yet written").register(registry);
        Gauge.builder("vxdump.sessions", sessions, t -> t.all().length)
                .description("mirror sessions, configured and made for unknown VNIs").register(registry);
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

    /** Registers the meters of sessions made since the last call; run before each scrape. */
    public synchronized void registerNewSessions() {
        Session[] all = sessions.all();
        for (; registeredSessions < all.length; registeredSessions++) {
            register(all[registeredSessions]);
        }
    }

    private void register(Session s) {
        Tags tags = Tags.of("session", s.name());
        counter("vxdump.packets.written", tags, s, x -> x.output().packetsWritten(), "packets written to files");
        counter("vxdump.bytes.written", tags, s, x -> x.output().bytesWritten(), "bytes written to files, headers included");
        counter("vxdump.packets.filtered", tags, s, x -> x.sum(SessionLane::filtered), "packets the session's filter did not keep");
        counter("vxdump.packets.truncated", tags, s, x -> x.sum(SessionLane::truncated),
                "packets written with caplen < origlen (mirror packet length or snaplen)");
        counter("vxdump.files.finished", tags, s, x -> x.output().filesFinished(), "files finished and renamed to .pcap");
        FunctionCounter.builder("vxdump.files.deleted", s, x -> x.output().filesDeleted())
                .tags("reason", "session_limit", "session", s.name())
                .description("finished files deleted by retention, by the limit that made room").register(registry);
        dropped(DropReason.WRITER_BACKLOG, s.name(), s, x -> x.sum(SessionLane::backlogDrops));
        dropped(DropReason.WRITE_ERROR, s.name(), s, x -> x.output().writeErrors());
        List<FilterRule> rules = s.filter().rules();
        for (int i = 0; i <= rules.size(); i++) {
            int decision = i;
            String rule = i < rules.size() ? String.valueOf(rules.get(i).number()) : "default";
            String direction = i < rules.size() ? rules.get(i).direction().label() : "any";
            FunctionCounter.builder("vxdump.filter.rule.matches", s, x -> x.sum(l -> l.decisions(decision)))
                    .tags(tags.and("rule", rule, "direction", direction))
                    .description("packets whose filter decision this rule (or the default) made").register(registry);
        }
    }

    private void counter(String name, Tags tags, Session s, ToLongFunction<Session> f, String description) {
        FunctionCounter.builder(name, s, x -> f.applyAsLong(x)).tags(tags).description(description).register(registry);
    }

    private <T> void dropped(DropReason reason, String session, T source, ToLongFunction<T> f) {
        FunctionCounter.builder("vxdump.datagrams.dropped", source, x -> f.applyAsLong(x))
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

    private static double usableSpace(Path output) {
        try {
            FileStore store = Files.getFileStore(output);
            return store.getUsableSpace();
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
