package io.vxdump.config;

import io.vxdump.filter.Action;
import io.vxdump.filter.Cidr;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.RuleBuilder;
import io.vxdump.filter.RuleNumbers;
import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.archive.StorageLimits;
import io.vxdump.pcap.WriteMode;
import io.vxdump.pcap.RotationPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Collects settings from defaults, the file and the flags, in that order; each setter takes the
 * text a user wrote and throws {@link IllegalArgumentException} with what is wrong, which the
 * caller prefixes with the file:line:key or the flag.
 */
public final class ConfigBuilder {
    static final int MAX_SNAPLEN = 262_144;

    private final List<Listener> listen = new ArrayList<>();
    private Path output = Path.of("captures");
    private int threads = Math.min(4, Runtime.getRuntime().availableProcessors());
    private long socketBuffer = 64L << 20;
    private ReceivePath receivePath = ReceivePath.AUTO;
    private long ringSize = 64L << 20;
    private long burstSize = WriteConfig.AUTO_BURST;
    private int writerThreads = 1;
    private long blockMemory = 64L << 20;
    private long blockSize = 512L << 10;
    private WriteMode.Choice directIo = WriteMode.Choice.AUTO;
    private int maxOpenFiles;
    private long syncMillis = WriteConfig.DEFAULT_SYNC_MILLIS;
    private long rotateSize = 128L << 20;
    private long rotateIntervalSeconds = 300;
    private long rotatePackets;
    private long keepFiles;
    private long keepBytes;
    /** The free-space floor: 5 % by default, as Arkime keeps; bytes or a percentage. */
    private long minFreeBytes;
    private double minFreePercent = 5;
    private long maxBytesTotal;
    private Precision precision = Precision.MICRO;
    private int snaplen;
    private String postRotate;
    private long postRotateTimeoutSeconds = 600;
    private int postRotateConcurrency = 2;
    private long stopTimeoutSeconds = 60;
    private long unknownVniExpireSeconds = 600;
    private UnknownVni unknownVni = UnknownVni.CAPTURE;
    private int maxSessions = 1024;
    private final List<PendingSession> sessions = new ArrayList<>();
    private final List<Cidr> allowSources = new ArrayList<>();
    private final List<FilterRule> unknownVniRules = new ArrayList<>();
    private final RuleNumbers<String> unknownVniRuleNumbers = new RuleNumbers<>();
    private Action unknownVniDefault;
    private String instanceId;
    private InetSocketAddress metrics = new InetSocketAddress(9464);
    private long healthMaxIdleSeconds;
    private String liveSocket;
    private int liveMaxWatchers = LiveConfig.DEFAULT_MAX_WATCHERS;
    private String uploadTo;
    private String uploadRegion;
    private java.net.URI uploadEndpoint;
    private boolean uploadPathStyle;
    private String uploadStorageClass;
    private boolean uploadDeleteAfter;
    private int uploadConcurrency = 4;
    private long uploadShutdownSeconds = 30;
    private long uploadMaxBacklogSeconds = 3600;
    private long uploadPartSize = 16L << 20;

    private record PendingSession(int vni, String name, Integer snaplen, SessionFilter filter) {
    }

    /** Replaces the listeners with this one ({@code [vxlan:|geneve:]HOST:PORT}). */
    public ConfigBuilder listen(String v) {
        Listener l = Listener.parse(v);
        listen.clear();
        listen.add(l);
        return this;
    }

    /** Adds a listener: {@code listen:} as a list, {@code --listen} repeated. */
    public ConfigBuilder addListen(String v) {
        Listener l = Listener.parse(v);
        for (Listener other : listen) {
            if (other.address().getPort() == l.address().getPort() && other.address().getPort() != 0) {
                throw new IllegalArgumentException("'" + v + "': port " + l.address().getPort() + " is already a listener");
            }
        }
        listen.add(l);
        return this;
    }

    /** Forgets the listeners so far: flags replace the file's list. */
    public ConfigBuilder clearListen() {
        listen.clear();
        return this;
    }

    public ConfigBuilder output(String v) {
        if (v.isBlank()) {
            throw new IllegalArgumentException("the output directory is empty");
        }
        output = Path.of(v);
        return this;
    }

    public ConfigBuilder threads(String v) {
        threads = (int) range(v, 1, 64, "receive threads");
        return this;
    }

    public ConfigBuilder receivePath(String v) {
        receivePath = ReceivePath.parse(v);
        return this;
    }

    public ConfigBuilder socketBuffer(String v) {
        socketBuffer = sizeRange(v, 0, Integer.MAX_VALUE);
        return this;
    }

    public ConfigBuilder ringSize(String v) {
        ringSize = sizeRange(v, 1 << 20, 1L << 30);
        return this;
    }

    /** A size (1MiB..8GiB), or {@code auto}; a size no larger than the ring's means it never grows. */
    public ConfigBuilder burstSize(String v) {
        burstSize = "auto".equals(v) ? WriteConfig.AUTO_BURST : sizeRange(v, 1 << 20, 8L << 30); // a ring's most (StagingRing.MAX_CAPACITY)
        return this;
    }

    public ConfigBuilder writerThreads(String v) {
        writerThreads = (int) range(v, 1, 16, "writer threads");
        return this;
    }

    public ConfigBuilder blockMemory(String v) {
        blockMemory = sizeRange(v, 4 << 20, 16L << 30);
        return this;
    }

    public ConfigBuilder blockSize(String v) {
        long n = sizeRange(v, 64 << 10, 16 << 20);
        if (n % (64 << 10) != 0) {
            throw new IllegalArgumentException("'" + v + "' is not a multiple of 64KiB");
        }
        blockSize = n;
        return this;
    }

    public ConfigBuilder syncInterval(String v) {
        syncMillis = Units.parseDurationMillis(v);
        if (syncMillis != 0 && syncMillis < 10) {
            throw new IllegalArgumentException("'" + v + "' is too short (at least 10ms; 0 for off)");
        }
        return this;
    }

    public ConfigBuilder directIo(String v) {
        directIo = switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "auto" -> WriteMode.Choice.AUTO;
            case "on", "true" -> WriteMode.Choice.DIRECT;
            case "off", "false" -> WriteMode.Choice.BUFFERED;
            default -> throw new IllegalArgumentException("'" + v + "' is not auto, on or off");
        };
        return this;
    }

    public ConfigBuilder maxOpenFiles(String v) {
        maxOpenFiles = v.trim().equalsIgnoreCase("auto") ? 0 : (int) range(v, 16, 1 << 20, "a file count (or auto)");
        return this;
    }

    public ConfigBuilder rotateSize(String v) {
        rotateSize = Units.parseSize(v);
        return this;
    }

    public ConfigBuilder rotateInterval(String v) {
        rotateIntervalSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    public ConfigBuilder rotatePackets(String v) {
        rotatePackets = range(v, 0, Long.MAX_VALUE, "a packet count");
        return this;
    }

    public ConfigBuilder keepFiles(String v) {
        keepFiles = range(v, 0, Long.MAX_VALUE, "a file count");
        return this;
    }

    public ConfigBuilder keepBytes(String v) {
        keepBytes = Units.parseSize(v);
        return this;
    }

    /** {@code s3://BUCKET/PREFIX}: upload every finished file there. */
    public ConfigBuilder uploadTo(String v) {
        io.vxdump.upload.UploadSettings.parseTarget(v);
        uploadTo = v.trim();
        return this;
    }

    public ConfigBuilder uploadRegion(String v) {
        if (!v.trim().matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
            throw new IllegalArgumentException("'" + v + "' is not an AWS region such as eu-west-1");
        }
        uploadRegion = v.trim();
        return this;
    }

    public ConfigBuilder uploadEndpoint(String v) {
        try {
            java.net.URI u = new java.net.URI(v.trim());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException("'" + v + "' is not an http:// or https:// endpoint");
            }
            uploadEndpoint = u;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("'" + v + "' is not an http:// or https:// endpoint");
        }
        return this;
    }

    public ConfigBuilder uploadPathStyle(String v) {
        uploadPathStyle = bool(v);
        return this;
    }

    public ConfigBuilder uploadStorageClass(String v) {
        String c = v.trim().toUpperCase(Locale.ROOT);
        if (software.amazon.awssdk.services.s3.model.StorageClass.fromValue(c)
                == software.amazon.awssdk.services.s3.model.StorageClass.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException("'" + v + "' is not an S3 storage class (STANDARD, STANDARD_IA, "
                    + "INTELLIGENT_TIERING, GLACIER_IR, ...)");
        }
        uploadStorageClass = c;
        return this;
    }

    public ConfigBuilder uploadDeleteAfter(String v) {
        uploadDeleteAfter = bool(v);
        return this;
    }

    public ConfigBuilder uploadConcurrency(String v) {
        uploadConcurrency = (int) range(v, 1, 64, "a number of uploads at once (1..64)");
        return this;
    }

    public ConfigBuilder uploadShutdownTimeout(String v) {
        uploadShutdownSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    public ConfigBuilder uploadMaxBacklogAge(String v) {
        uploadMaxBacklogSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    public ConfigBuilder uploadPartSize(String v) {
        uploadPartSize = sizeRange(v, 5L << 20, 5L << 30);
        return this;
    }

    private static boolean bool(String v) {
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + v + "' is not true or false");
        };
    }

    /** {@code 10%} of the file system, or a size such as {@code 20GiB}; 0 turns the floor off. */
    public ConfigBuilder minFree(String v) {
        String t = v.trim();
        if (t.endsWith("%")) {
            double p;
            try {
                p = Double.parseDouble(t.substring(0, t.length() - 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + v + "' is not a percentage such as 10%");
            }
            if (!(p >= 0 && p < 100)) {
                throw new IllegalArgumentException("'" + v + "' is not a percentage in 0..99%");
            }
            minFreePercent = p;
            minFreeBytes = 0;
        } else {
            // "5" is as likely to mean 5% or 5 GiB as 5 bytes: a floor needs its unit (0 alone is off).
            if (t.matches("[0-9.]+") && Double.parseDouble(t) != 0) {
                throw new IllegalArgumentException("'" + v + "' has no unit: say " + t + "% or " + t + "GiB");
            }
            minFreeBytes = Units.parseSize(t);
            minFreePercent = 0;
        }
        return this;
    }

    public ConfigBuilder maxBytesTotal(String v) {
        maxBytesTotal = Units.parseSize(v);
        return this;
    }

    public ConfigBuilder precision(String v) {
        precision = switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "micro" -> Precision.MICRO;
            case "nano" -> Precision.NANO;
            default -> throw new IllegalArgumentException("'" + v + "' is not a precision: micro or nano");
        };
        return this;
    }

    public ConfigBuilder snaplen(String v) {
        snaplen = parseSnaplen(v);
        return this;
    }

    /** A post-rotate command still running after this long is killed; 0 = never. */
    public ConfigBuilder postRotateTimeout(String v) {
        postRotateTimeoutSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    /** Post-rotate commands run at once. */
    public ConfigBuilder postRotateConcurrency(String v) {
        postRotateConcurrency = (int) range(v, 1, 64, "a command count");
        return this;
    }

    /** What a stop gives post-rotate commands and uploads once every file is finished. */
    public ConfigBuilder stopTimeout(String v) {
        stopTimeoutSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    /** Sessions made for unknown VNIs end after this long without a packet; 0 = never. */
    public ConfigBuilder unknownVniExpire(String v) {
        unknownVniExpireSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    public ConfigBuilder postRotate(String v) {
        postRotate = v.isBlank() ? null : v;
        return this;
    }

    public ConfigBuilder unknownVni(String v) {
        unknownVni = switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "capture" -> UnknownVni.CAPTURE;
            case "drop" -> UnknownVni.DROP;
            default -> throw new IllegalArgumentException("'" + v + "' is not capture or drop");
        };
        return this;
    }

    /** A path for the live socket, or {@code off}. */
    public ConfigBuilder liveSocket(String v) {
        if (!v.equals("off") && !Path.of(v).isAbsolute()) {
            throw new IllegalArgumentException("'" + v + "' is not an absolute path or off");
        }
        liveSocket = v;
        return this;
    }

    public ConfigBuilder liveMaxWatchers(String v) {
        liveMaxWatchers = (int) range(v, 1, 64, "a number of watchers");
        return this;
    }

    public ConfigBuilder maxSessions(String v) {
        maxSessions = (int) range(v, 0, 1 << 20, "a session count");
        return this;
    }

    /** Adds a configured session; {@code snaplen} null means the global one. */
    ConfigBuilder session(int vni, String name, Integer snaplen, SessionFilter filter) {
        sessions.add(new PendingSession(vni, name, snaplen, filter));
        return this;
    }

    /** This instance's id in file names: [A-Za-z0-9._-]{1,64}; default the host name. */
    public ConfigBuilder instanceId(String v) {
        if (!v.matches("[A-Za-z0-9._-]{1,64}") || v.chars().allMatch(c -> c == '.')) {
            throw new IllegalArgumentException("'" + v + "' is not an instance id: 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        instanceId = v;
        return this;
    }

    /** The HTTP address of /metrics and /healthz, or {@code off}. */
    public ConfigBuilder metrics(String v) {
        metrics = v.trim().equalsIgnoreCase("off") ? null : HostPort.parse(v);
        return this;
    }

    /** Health fails when no datagram arrived for this long; 0 = never. */
    public ConfigBuilder healthMaxIdle(String v) {
        healthMaxIdleSeconds = Units.parseDurationSeconds(v);
        return this;
    }

    /** Adds an outer source block allowed to send. */
    public ConfigBuilder allowSource(String cidr) {
        allowSources.add(Cidr.parse(cidr));
        return this;
    }

    /** Adds a rule, in the compact syntax, to the filter of sessions made for unknown VNIs. */
    public ConfigBuilder unknownVniRule(String text) {
        FilterRule rule = RuleBuilder.parseCompact(text);
        String before = unknownVniRuleNumbers.add(rule, text);
        if (before != null) {
            throw new IllegalArgumentException("rule number " + rule.number() + " is already used in that direction by '"
                    + before + "'");
        }
        unknownVniRules.add(rule);
        return this;
    }

    /** The default action of the {@code --rule} filter (reject, as on AWS, unless set). */
    public ConfigBuilder unknownVniDefaultAction(String text) {
        unknownVniDefault = Action.parse(text);
        return this;
    }

    static int parseVni(String v) {
        return (int) range(v, 0, 0xFFFFFF, "a VNI (0..16777215)");
    }

    static int parseSnaplen(String v) {
        long n = range(v, 0, MAX_SNAPLEN, "a snaplen (0, or 14.." + MAX_SNAPLEN + ")");
        if (n != 0 && n < 14) {
            throw new IllegalArgumentException("snaplen " + n + " would cut the Ethernet header: 0, or 14.." + MAX_SNAPLEN);
        }
        return (int) n;
    }

    /** The configuration these settings describe. */
    public ServeConfig build() {
        List<SessionConfig> resolved = new ArrayList<>();
        for (PendingSession s : sessions) {
            resolved.add(new SessionConfig(s.vni(), s.name(), s.snaplen() == null ? snaplen : s.snaplen(), s.filter()));
        }
        // Without --rule, sessions for unknown VNIs keep everything; with rules, AWS's default applies.
        SessionFilter unknownFilter = unknownVniRules.isEmpty() && unknownVniDefault == null ? SessionFilter.KEEP_ALL
                : new SessionFilter(Monitored.OUTER_SOURCE, unknownVniRules,
                        unknownVniDefault == null ? Action.REJECT : unknownVniDefault);
        // A writer always has at least two blocks, whatever buffer-memory says (see WriteBlocks).
        WriteConfig write = new WriteConfig(ringSize, burstSize, writerThreads, blockMemory, (int) blockSize, directIo, maxOpenFiles,
                syncMillis);
        List<Listener> listeners = listen.isEmpty()
                ? List.of(new Listener(io.vxdump.packet.Encapsulation.VXLAN, new InetSocketAddress(4789))) : listen;
        return new ServeConfig(listeners, output, threads, socketBuffer, receivePath, write,
                new RotationPolicy(rotateSize, rotateIntervalSeconds * 1_000_000_000L, rotatePackets),
                new Retention(keepFiles, keepBytes), new StorageLimits(minFreeBytes, minFreePercent, maxBytesTotal),
                precision, snaplen, Optional.ofNullable(postRotate),
                unknownVni, maxSessions, resolved, allowSources, unknownFilter,
                instanceId != null ? instanceId : InstanceId.fromHostName(), Optional.ofNullable(metrics),
                healthMaxIdleSeconds, upload(), postRotateTimeoutSeconds, postRotateConcurrency, stopTimeoutSeconds,
                unknownVniExpireSeconds, new LiveConfig(liveSocket == null || liveSocket.equals("off") ? Optional.empty()
                        : Optional.of(Path.of(liveSocket)), !"off".equals(liveSocket), liveMaxWatchers));
    }

    private Optional<io.vxdump.upload.UploadSettings> upload() {
        if (uploadTo == null) {
            return Optional.empty();
        }
        String[] target = io.vxdump.upload.UploadSettings.parseTarget(uploadTo);
        return Optional.of(new io.vxdump.upload.UploadSettings(target[0], target[1], Optional.ofNullable(uploadRegion),
                Optional.ofNullable(uploadEndpoint), uploadPathStyle, Optional.ofNullable(uploadStorageClass),
                uploadDeleteAfter, uploadConcurrency, uploadShutdownSeconds, uploadMaxBacklogSeconds, uploadPartSize));
    }

    private static long sizeRange(String v, long min, long max) {
        long n = Units.parseSize(v);
        if (n < min || n > max) {
            throw new IllegalArgumentException("'" + v + "' is not in " + Units.formatSize(min) + ".." + Units.formatSize(max));
        }
        return n;
    }

    private static long range(String v, long min, long max, String what) {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not " + what);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(n + " is not in " + min + ".." + max);
        }
        return n;
    }
}
