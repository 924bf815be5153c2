package io.vxdump.serve;

import io.vxdump.archive.DiskRetention;
import io.vxdump.config.ConfigException;
import io.vxdump.config.HostPort;
import io.vxdump.config.ServeConfig;
import io.vxdump.config.SessionConfig;
import io.vxdump.config.UnknownVni;
import io.vxdump.config.Units;
import io.vxdump.filter.SessionFilter;
import io.vxdump.filter.SourceAllowList;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.vxdump.metrics.Accounting;
import io.vxdump.metrics.HealthCheck;
import io.vxdump.metrics.MetricsServer;
import io.vxdump.metrics.VxdumpMeters;
import io.vxdump.pcap.FileFinisher;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.PartFileRecovery;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.pcap.WriteMode;
import io.vxdump.receive.Warmup;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.receive.ReceiveSettings;
import io.vxdump.receive.Receiver;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code vxdump serve} put together: finishes a crash's leftovers, builds the sessions, starts the
 * writer and the receive sockets, and on {@link #stop()} drains everything into finished files.
 */
public final class Daemon {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);

    private final ServeConfig config;
    /** The configuration in force: the start's, then each reload's (restart-only keys as started). */
    private volatile ServeConfig running;
    private SessionTable sessions;
    private OutputSettings output;
    private int lanes;
    /** The staging rings, [receive thread][writer]. */
    private StagingRing[][] rings;
    private volatile boolean lastReloadOk = true;
    /** Set once start() has bound the sockets: signals act only then. */
    private volatile boolean serving;
    private volatile long lastReloadOkSeconds = System.currentTimeMillis() / 1000;
    private FileFinisher finisher;
    private DiskRetention retention;
    private volatile io.vxdump.upload.S3Shipper shipper;
    private final List<PcapWriter> writers = new ArrayList<>();
    /** The live stream's socket, in the output directory (0660 there, within the directory's 0750). */
    private final io.vxdump.live.LiveTap liveTap = new io.vxdump.live.LiveTap();
    private io.vxdump.live.LiveServer live;
    /** Flushes the device's cache while direct I/O writes; null when buffered. */
    private io.vxdump.pcap.StorageSync storageSync;
    private Receiver receiver;
    private Accounting accounting;
    private List<io.vxdump.config.Listener> bound = List.of();
    private MetricsServer metrics;
    private JvmGcMetrics gcMetrics;
    private OutputLock lock;
    /** Announces sessions' first packets and ends quiet sessions made for unknown VNIs (unknown-vni-expire). */
    private final java.util.concurrent.ScheduledExecutorService sessionChores = java.util.concurrent.Executors
            .newSingleThreadScheduledExecutor(new io.netty.util.concurrent.DefaultThreadFactory("vxdump-sessions", true));

    public Daemon(ServeConfig config) {
        this.config = config;
        this.running = config;
    }

    /**
     * Starts serving; returns the first listener's bound address. The order matters: the lock
     * before any file is touched; the ports bound before the slow part (recovery, warm-up), so a
     * restart loses nothing that its socket buffers can hold; reading last, once the path is warm.
     *
     * @throws ConfigException a start failure the configuration or the command line caused (exit 2)
     */
    public InetSocketAddress start() throws IOException, InterruptedException, ConfigException {
        try {
            return startInOrder();
        } catch (IOException | InterruptedException | ConfigException | RuntimeException e) {
            abandonStart();
            throw e;
        }
    }

    private InetSocketAddress startInOrder() throws IOException, InterruptedException, ConfigException {
        // Absolute, so post-rotate commands get a path that means the same wherever they cd to.
        output = new OutputSettings(config.output().toAbsolutePath().normalize(), config.precision(), config.rotation(),
                config.retention(), config.postRotate(), config.instanceId());
        io.vxdump.config.WriteConfig write = config.write();
        receiver = new Receiver(new ReceiveSettings(config.listen(), config.threads(), (int) config.socketBuffer(),
                config.receivePath()));
        lanes = receiver.sockets();
        int writerCount = write.threads();
        makeOutputDirectory(output.directory());
        lock = OutputLock.take(output.directory(), config.instanceId());
        try {
            bound = receiver.bind();
        } catch (java.net.BindException e) {
            throw new ConfigException("listen: " + e.getMessage());
        }
        long boundAt = System.currentTimeMillis();
        // After the bind, since a restart loses what arrives before it: JMX (the JVM's start time)
        // and the buffers' fit, which touches no file; a refusal gives the ports back.
        long boundAfterMillis = boundAt - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
        MemoryFit.require(lanes, writerCount, write);
        long burst = MemoryFit.burstSize(lanes, writerCount, write);
        if (config.metrics().isPresent()) {
            try {
                metrics = new MetricsServer(config.metrics().get());
            } catch (java.net.BindException e) {
                throw new ConfigException("metrics: " + HostPort.bindProblem(config.metrics().get(), e));
            }
        }
        io.vxdump.archive.UploadLedger ledger = config.upload().isPresent()
                ? new io.vxdump.archive.UploadLedger(output.directory()) : null;
        retention = new DiskRetention(output.directory(), output::filePrefix, config.storage(), ledger);
        finisher = new FileFinisher(output, new io.vxdump.pcap.FinishedFileSink() {
            // After the finisher: retention indexes the file, then an upload thread takes it.
            @Override
            public void finished(java.nio.file.Path sessionDirectory, String prefix) {
                retention.finished(sessionDirectory, prefix);
                if (shipper != null) {
                    shipper.wake();
                }
            }

            @Override
            public void opening() {
                retention.opening();
            }

            @Override
            public boolean mayDelete(java.nio.file.Path file) {
                return retention.mayDelete(file);
            }

            @Override
            public void deleted(java.nio.file.Path file) {
                retention.deleted(file);
            }
        }, new io.vxdump.pcap.PostRotateRunner(config.postRotateConcurrency(), config.postRotateTimeoutSeconds()));
        int leftovers = PartFileRecovery.recover(output, finisher);
        if (leftovers > 0) {
            LOG.info("finishing {} .part file(s) left by an earlier run", leftovers);
        }

        retention.start(); // after recovery handed its files on, before the first file is opened
        if (config.upload().isPresent()) {
            try {
                shipper = new io.vxdump.upload.S3Shipper(config.upload().get(), retention.index(), ledger);
            } catch (software.amazon.awssdk.core.exception.SdkException e) {
                String m = String.valueOf(e.getMessage());
                throw new ConfigException(m.contains("region") ? "upload: no region: set upload.region, or AWS_REGION, "
                        + "or run on EC2 where the instance's metadata gives it" : "upload: " + m.lines().findFirst().orElse(m));
            }
            shipper.start();
        }
        WriteMode mode;
        try {
            mode = WriteMode.probe(output.directory(), write.directIo());
        } catch (IOException e) {
            if (write.directIo() == WriteMode.Choice.DIRECT) {
                throw new ConfigException("writer.direct-io: on, but " + e.getMessage());
            }
            throw e;
        }
        List<Session> configured = new ArrayList<>();
        for (SessionConfig c : config.sessions()) {
            configured.add(newSession(c.vni(), c.name(), c.snaplen(), c.filter(), output, lanes));
        }
        IntFunction<Session> forUnknown = config.unknownVni() == UnknownVni.CAPTURE
                ? vni -> newSession(vni, SessionConfig.defaultName(vni), running.snaplen(), config.unknownVniFilter(),
                        output, lanes)
                : null;
        SourceAllowList allow = config.allowSources().isEmpty() ? null : new SourceAllowList(config.allowSources());
        sessions = new SessionTable(configured, forUnknown, config.maxSessions(), writerCount, allow);
        sessionChores.scheduleWithFixedDelay(new io.vxdump.session.SessionAnnouncer(sessions), 1, 1,
                java.util.concurrent.TimeUnit.SECONDS);
        if (forUnknown != null && config.unknownVniExpireSeconds() > 0) {
            long period = io.vxdump.session.SessionExpiry.periodMillis(config.unknownVniExpireSeconds());
            sessionChores.scheduleWithFixedDelay(new io.vxdump.session.SessionExpiry(sessions, config.unknownVniExpireSeconds()),
                    period, period, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        // One ring from each receive thread to each writer: staging memory is lanes × writers × ring-size.
        rings = new StagingRing[lanes][writerCount];
        for (int i = 0; i < lanes; i++) {
            for (int w = 0; w < writerCount; w++) {
                rings[i][w] = StagingRing.elastic((int) write.ringSize(), burst);
            }
        }
        int fileBudget = Math.max(1, write.fileBudget(processFdLimit()) / writerCount);
        WriterWakeup[] wakeups = new WriterWakeup[writerCount];
        for (int w = 0; w < writerCount; w++) {
            StagingRing[] column = new StagingRing[lanes];
            for (int i = 0; i < lanes; i++) {
                column[i] = rings[i][w];
            }
            PcapWriter writer = new PcapWriter(w, column, sessions.outputs(), finisher, output, mode,
                    write.blockMemory(), write.blockSize(), fileBudget).tap(liveTap).makeBlocks();
            writers.add(writer);
            wakeups[w] = writer.wakeup();
            writer.start();
        }
        if (mode.direct()) {
            List<PcapWriter> all = List.copyOf(writers);
            storageSync = new io.vxdump.pcap.StorageSync(output.directory(),
                    () -> all.stream().mapToLong(PcapWriter::bytesIssued).sum())
                    .start(java.time.Duration.ofMillis(write.syncMillis()));
        }
        retention.reserve(() -> {
            long r = 0;
            for (PcapWriter w : writers) {
                r += w.roomNeeded();
            }
            return r;
        });
        List<DatagramProcessor> processors = new ArrayList<>();
        for (int i = 0; i < lanes; i++) {
            processors.add(new DatagramProcessor(i, sessions, rings[i], wakeups));
        }
        prefaultReserves(rings);
        long warmStart = System.nanoTime();
        long warmed = Warmup.run(output.directory().resolve(".vxdump-warmup-" + config.instanceId()), mode,
                config.sessions().isEmpty() ? SessionFilter.KEEP_ALL : config.sessions().get(0).filter(),
                config.unknownVniFilter(), allow, receiver,
                config.listen().stream().anyMatch(l -> l.encapsulation() == io.vxdump.packet.Encapsulation.GENEVE));
        LOG.info("ports bound {} ms after the JVM started; packet path warmed with {} synthetic datagrams in {} ms",
                boundAfterMillis, warmed, (System.nanoTime() - warmStart) / 1_000_000);
        accounting = new Accounting(processors, sessions);
        if (metrics != null) {
            serveMetrics(metrics, processors, sessions, output);
        }
        receiver.start(processors);
        serving = true;
        warnIfOpen();
        // Short lines, one subject each: read in a terminal and in the journal without scrolling.
        // "metrics" comes last: the tests (DaemonProcess) take it as the end of the start.
        LOG.info("{} serving on {}", io.vxdump.metrics.BuildInfo.current().describe(), describe(bound));
        LOG.info("receive: {}, {} socket(s) per listener, buffer {} each ({})", receiver.transportName(), lanes,
                Units.formatSize(receiver.grantedBuffer()), receiver.bufferHow());
        LOG.info("output: {} (instance {}), {} writer(s): {}, staging {} per ring", output.directory(),
                config.instanceId(), writerCount, writers.get(0).describe(), describeStaging(rings[0][0]));
        LOG.info("storage: keeps {} free{}", config.floorText(), config.storage().maxBytesTotal() > 0
                ? ", at most " + Units.formatSize(config.storage().maxBytesTotal()) + " in all" : "");
        LOG.info("sessions: {} configured, unknown VNIs {}", configured.size(), config.unknownVni().name().toLowerCase());
        startLive();
        // Last: the tests (DaemonProcess) take the "metrics" line as the end of the start, the live socket included.
        LOG.info("metrics {}", metrics == null ? "off" : "http://" + HostPort.format(metrics.address()) + "/metrics");
        return bound.get(0).address();
    }

    /** The live socket (vxdump tail, vxdump extcap), unless configured off; capture does not depend on it. */
    private void startLive() {
        java.nio.file.Path socket = config.live().socketIn(output.directory());
        if (!config.live().enabled()) {
            LOG.info("live: off (live.socket: off)");
            return;
        }
        try {
            live = io.vxdump.live.LiveServer.start(socket, liveTap, writers.size(), config.live().maxWatchers(), output.precision(),
                    () -> java.util.Arrays.stream(sessions.named()).filter(io.vxdump.session.NamedSession::routed)
                            .map(io.vxdump.session.NamedSession::name).sorted().toList());
            LOG.info("live: {} (vxdump tail --socket {})", socket, socket);
        } catch (IOException e) {
            LOG.warn("live: no live stream: {}: {}", socket, e.toString());
        }
    }

    /**
     * Anyone who can reach an open listener can put packets into the captures (a spoofed VNI) and,
     * with unknown VNIs captured, make sessions: say so once when no allow list guards a listener
     * that is not on loopback.
     */
    private void warnIfOpen() {
        if (!config.allowSources().isEmpty()) {
            return;
        }
        for (io.vxdump.config.Listener l : bound) {
            if (!l.address().getAddress().isLoopbackAddress()) {
                LOG.warn("allow-sources is empty and {} is not a loopback address: any host that reaches it can put "
                        + "packets into the captures{}; set allow-sources to the mirror sources' (or the load balancer's "
                        + "subnets') CIDRs", HostPort.format(l.address()), config.unknownVni() == UnknownVni.CAPTURE
                        ? " and make sessions (up to max-sessions " + config.maxSessions() + ")" : "");
                return;
            }
        }
    }

    /** The output directory, made (0750) if missing; a regular file or a missing parent is the user's to fix. */
    private static void makeOutputDirectory(java.nio.file.Path dir) throws ConfigException, IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException("output: " + dir + " is not a directory");
        }
        try {
            io.vxdump.pcap.FileModes.createDirectories(dir);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException("output: " + dir + ": permission denied (cannot create " + e.getFile() + ")");
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException("output: " + dir + ": cannot be created: no such file or directory");
        } catch (java.nio.file.FileSystemException e) {
            throw new ConfigException("output: " + dir + ": " + (e.getReason() != null ? e.getReason().toLowerCase()
                    : e.getClass().getSimpleName()));
        }
    }

    /** A start that failed: give back the ports and the lock, so a test JVM or a retry can have them. */
    private void abandonStart() {
        sessionChores.shutdownNow();
        try {
            if (metrics != null) {
                metrics.stop();
            }
            if (receiver != null) {
                receiver.stop();
            }
            for (PcapWriter w : writers) {
                w.drainAndStop();
            }
            if (lock != null) {
                lock.close();
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOG.debug("cleaning up a failed start: {}", e.toString());
        }
    }

    /**
     * Makes the rings' burst reserves resident in the background, beside the warm-up: a burst then
     * costs no page faults on the receive threads (see {@link StagingRing#prefault}). At normal
     * priority until the ports are read, so it is done before traffic in most starts (in
     * {@code SCHED_IDLE} from the beginning it waited for the JIT's threads and finished 1.5-6.5 s
     * after it began instead of 0.6-1.8 s: bench/README, issue 17 step 5); in {@code SCHED_IDLE}
     * from then on, so that when the host is slow to back the pages and traffic comes first, the
     * receive and write threads keep their core (at normal priority a 128 B load that came 1 s
     * before the prefault ended lost 0.15 % at the socket: bench/README, issue 17 step 7).
     */
    private void prefaultReserves(StagingRing[][] rings) {
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            long[] idleFrom = {-1}; // ms after the start when SCHED_IDLE took effect
            Runnable lowerOnceServing = () -> {
                if (idleFrom[0] < 0 && serving && StagingRing.idlePriority()) {
                    idleFrom[0] = (System.nanoTime() - start) / 1_000_000;
                }
            };
            int done = 0;
            for (StagingRing[] row : rings) {
                for (StagingRing r : row) {
                    done += r.prefault(lowerOnceServing) ? 1 : 0;
                }
            }
            if (done > 0) { // the time a burst could have found part of it still to fault in
                long ms = (System.nanoTime() - start) / 1_000_000;
                if (idleFrom[0] >= 0) {
                    LOG.info("staging: {} burst reserve(s) resident after {} ms (at idle priority from {} ms: "
                            + "the ports were being read)", done, ms, idleFrom[0]);
                } else {
                    LOG.info("staging: {} burst reserve(s) resident after {} ms", done, ms);
                }
            }
        }, "vxdump-prefault");
        t.setDaemon(true);
        t.start();
    }

    private static double sumRings(StagingRing[][] rings, java.util.function.ToLongFunction<StagingRing> f) {
        long sum = 0;
        for (StagingRing[] row : rings) {
            for (StagingRing r : row) {
                sum += f.applyAsLong(r);
            }
        }
        return sum;
    }

    /** {@code 64MiB per ring, growing to 1GiB under a burst}, or why it cannot grow: the start-up line's form. */
    private static String describeStaging(StagingRing ring) {
        String s = Units.formatSize(ring.base()) + " per ring";
        if (ring.capacity() > ring.base()) {
            return s + ", growing to " + Units.formatSize(ring.capacity()) + " under a burst";
        }
        String why = StagingRing.elasticUnavailable();
        return why == null ? s : s + " (cannot grow under a burst: " + why + ")";
    }

    /** {@code 127.0.0.1:4789 udp (vxlan), 0.0.0.0:6081 udp (geneve)}: the start-up line's form. */
    private static String describe(List<io.vxdump.config.Listener> listeners) {
        return String.join(", ", listeners.stream().map(l -> HostPort.format(l.address()) + " udp ("
                + l.encapsulation().label() + ")").toList());
    }

    /** The listeners as bound (real ports where port 0 was asked for). */
    public List<io.vxdump.config.Listener> listeners() {
        return bound;
    }

    private void serveMetrics(MetricsServer server, List<DatagramProcessor> processors, SessionTable sessions,
                              OutputSettings output) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(new io.vxdump.metrics.ExpositionLint());
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new io.vxdump.metrics.ProcessMeters().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new NettyAllocatorMetrics(PooledByteBufAllocator.DEFAULT).bindTo(registry);
        VxdumpMeters meters = new VxdumpMeters(registry, processors, sessions, accounting, output.directory(), writers,
                receiver::socketInodes, receiver::ringDrops, retention, receiver::receivedByListener);
        HealthCheck health = new HealthCheck(receiver::allBound, this::writeFailing, this::lastWriteError,
                () -> accounting.totals().received(), config.healthMaxIdleSeconds() * 1_000_000_000L);
        health.condition(this::outputRoomProblem);
        if (shipper != null) {
            io.vxdump.upload.S3Shipper ship = shipper;
            meters.registerUploads(ship, retention.index());
            health.note(() -> {
                double age = retention.index().oldestBacklogAgeSeconds();
                return age > ship.settings().maxBacklogSeconds()
                        ? "upload backlog: " + retention.index().backlogFiles() + " file(s) not uploaded, the oldest for "
                        + (long) age + " s" + (ship.lastError().isEmpty() ? "" : " (" + ship.lastError() + ")") : "";
            });
        }
        if (storageSync != null) {
            io.vxdump.pcap.StorageSync s = storageSync;
            io.micrometer.core.instrument.FunctionCounter.builder("vxdump.storage.syncs", s, io.vxdump.pcap.StorageSync::syncs)
                    .description("flushes of the output device's write cache (writer.sync-interval, direct I/O)")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("vxdump.storage.sync.seconds", s,
                            x -> x.syncNanos() / 1e9)
                    .description("time the flushes took: the device stalls writes for as long").register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("vxdump.storage.sync.failures", s,
                            io.vxdump.pcap.StorageSync::failures)
                    .description("flushes of the output device that failed (logged at most once a minute)").register(registry);
        }
        StagingRing[][] staged = rings;
        io.micrometer.core.instrument.Gauge.builder("vxdump.staging.backlog.bytes", staged, r -> sumRings(r, StagingRing::backlog))
                .description("bytes staged for the writers and not yet taken: past staging.ring-size, a burst is in the reserve")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("vxdump.staging.resident.bytes", staged, r -> sumRings(r, StagingRing::resident))
                .description("memory of the staging rings that is resident: their base, and the burst reserve while it is held")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("vxdump.config.reload.success", this, d -> d.lastReloadOk ? 1 : 0)
                .description("1 when the last configuration reload (SIGHUP) succeeded, 0 when it was refused").register(registry);
        io.micrometer.core.instrument.Gauge.builder("vxdump.config.reload.success.timestamp.seconds", this,
                        d -> d.lastReloadOkSeconds)
                .description("when the configuration in force was loaded (start or SIGHUP), seconds since the epoch")
                .register(registry);
        io.vxdump.pcap.PostRotateRunner hooks = finisher.hooks();
        io.micrometer.core.instrument.Gauge.builder("vxdump.post.rotate.backlog", hooks, io.vxdump.pcap.PostRotateRunner::backlog)
                .description("post-rotate commands waiting or running").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("vxdump.post.rotate.commands", hooks,
                        io.vxdump.pcap.PostRotateRunner::succeeded).tag("result", "ok")
                .description("post-rotate commands by outcome: ok, failed (non-zero exit or could not start), timeout "
                        + "(killed after post-rotate-timeout), not_run (vxdump stopped first)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("vxdump.post.rotate.commands", hooks,
                io.vxdump.pcap.PostRotateRunner::failed).tag("result", "failed").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("vxdump.post.rotate.commands", hooks,
                io.vxdump.pcap.PostRotateRunner::timedOut).tag("result", "timeout").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("vxdump.post.rotate.commands", hooks,
                io.vxdump.pcap.PostRotateRunner::notRun).tag("result", "not_run").register(registry);
        io.micrometer.core.instrument.Gauge.builder("vxdump.healthy", health, h -> h.check().healthy() ? 1 : 0)
                .description("1 while /healthz answers 200, 0 while it answers 503").register(registry);
        server.serve(registry, meters, health);
    }

    /** Unhealthy when the output has less room than one write needs: every write would fail. */
    private String outputRoomProblem() {
        int block = writers.get(0).blockSize();
        try {
            long free = Files.getFileStore(output.directory()).getUsableSpace();
            return free < block ? "output has " + free + " bytes free, less than one write block (" + block + " bytes)" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** Where /metrics and /healthz are served, or null when off. */
    public InetSocketAddress metricsAddress() {
        return metrics == null ? null : metrics.address();
    }

    private static Session newSession(int vni, String name, int snaplen, SessionFilter filter,
                                      OutputSettings output, int lanes) {
        return new Session(vni, name, snaplen, filter,
                new SessionOutput(name, snaplen, output), lanes);
    }

    /** Where every datagram went so far. */
    public Accounting accounting() {
        return accounting;
    }

    public boolean writeFailing() {
        for (PcapWriter w : writers) {
            if (w.failing()) {
                return true;
            }
        }
        return false;
    }

    private String lastWriteError() {
        for (PcapWriter w : writers) {
            if (w.failing()) {
                return w.lastError();
            }
        }
        return writers.isEmpty() ? "" : writers.get(0).lastError();
    }

    /**
     * Applies a re-read configuration without closing a socket (SIGHUP): sessions (added, removed,
     * renamed, new VNI, filter or snaplen), allow-sources, rotation, retention and post-rotate.
     * Each packet is decided by the old configuration or the new one: the routes are swapped whole.
     * A removed session's open file is finished (after a grace second for the packets staged before
     * the swap). Keys that need a restart keep their running values and are named in the log.
     */
    public synchronized void reload(ServeConfig next, String source) {
        if (!serving) {
            LOG.warn("reload ignored: vxdump is still starting; send SIGHUP again once it serves");
            return;
        }
        List<String> restartOnly = config.restartOnlyChanges(next);
        if (!restartOnly.isEmpty()) {
            LOG.warn("reload: {} changed but take{} a restart; the running value{} stay{}", String.join(", ", restartOnly),
                    restartOnly.size() == 1 ? "s" : "", restartOnly.size() == 1 ? "" : "s", restartOnly.size() == 1 ? "s" : "");
        }
        List<Session> configured = new ArrayList<>();
        for (SessionConfig c : next.sessions()) {
            configured.add(newSession(c.vni(), c.name(), c.snaplen(), c.filter(), output, lanes));
        }
        SourceAllowList allow = next.allowSources().isEmpty() ? null : new SourceAllowList(next.allowSources());
        OutputSettings changed = new OutputSettings(output.directory(), output.precision(), next.rotation(),
                next.retention(), next.postRotate(), output.instanceId());
        // Rotation and retention first: the new sessions' first files follow them.
        for (PcapWriter w : writers) {
            w.reconfigure(changed);
        }
        finisher.reconfigure(changed);
        finisher.hooks().timeout(next.postRotateTimeoutSeconds());
        retention.limits(next.storage());
        running = next;
        SessionTable.Changes changes = sessions.reconfigure(configured, allow);
        for (io.vxdump.session.NamedSession n : changes.removed()) {
            n.output().retired(true);
        }
        for (io.vxdump.session.NamedSession n : changes.added()) {
            n.output().retired(false);
        }
        for (io.vxdump.session.NamedSession n : changes.snaplenChanged()) {
            n.output().snaplen(n.current().snaplen());
        }
        lastReloadOk = true;
        lastReloadOkSeconds = System.currentTimeMillis() / 1000;
        LOG.info("configuration reloaded from {}: {} session(s) routed; added [{}], removed [{}], reconfigured [{}]; "
                        + "allow-sources {}; rotation, retention and post-rotate as configured", source,
                sessions.routedSessions(), names(changes.added()), names(changes.removed()), names(changes.reconfigured()),
                next.allowSources().isEmpty() ? "any" : next.allowSources().size() + " block(s)");
    }

    /** A reload was refused (the file has an error): the running configuration stays. */
    public void reloadRefused(String why) {
        lastReloadOk = false;
        LOG.error("reload refused, the running configuration stays: {}", why);
    }

    private static String names(List<io.vxdump.session.NamedSession> sessions) {
        return String.join(", ", sessions.stream().map(io.vxdump.session.NamedSession::name).toList());
    }

    /** Finishes every open file now (SIGUSR1): each writer does so within about 100 ms. */
    public void finishOpenFiles() {
        if (!serving) {
            LOG.warn("finishing open files ignored: vxdump is still starting");
            return;
        }
        LOG.info("finishing every open file on request");
        for (PcapWriter w : writers) {
            w.finishOpenFiles();
        }
    }

    /** The process's file-descriptor limit, or a conservative guess where the JVM cannot tell. */
    private static long processFdLimit() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return unix.getMaxFileDescriptorCount();
        }
        return 1024;
    }

    /**
     * Stops receiving, writes every staged packet, finishes every open file (post-rotate included)
     * and logs the totals.
     */
    public void stop() throws InterruptedException {
        // stop-timeout counts from here: finishing every file comes first and is never cut short;
        // post-rotate commands and uploads get what is left of it.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(running.stopTimeoutSeconds());
        LOG.info("stopping: draining staged packets and finishing files");
        if (metrics != null) {
            metrics.stop(); // the NLB sees the target go away at once
            if (gcMetrics != null) {
                gcMetrics.close();
            }
        }
        sessionChores.shutdownNow();
        receiver.stop();
        for (PcapWriter w : writers) {
            w.drainAndStop();
        }
        if (live != null) {
            live.close(); // after the writers: watchers get everything written, then the end of their stream
        }
        if (storageSync != null) {
            storageSync.close(); // the finisher's fsyncs make the last files durable
        }
        // Every file is handed over; the finisher renames them all, then hooks and uploads share the time left.
        finisher.shutdown(deadline);
        if (shipper != null) {
            long left = Math.max(0, (deadline - System.nanoTime()) / 1_000_000_000L);
            shipper.drainAndStop(Math.min(shipper.settings().shutdownSeconds(), left));
        }
        retention.stop();
        LOG.info("stopped; totals: {}", accounting.totals().summary());
        try {
            lock.close();
        } catch (IOException e) {
            LOG.debug("releasing the output lock: {}", e.toString());
        }
    }
}
