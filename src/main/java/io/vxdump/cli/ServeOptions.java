package io.vxdump.cli;

import io.vxdump.config.ConfigBuilder;
import io.vxdump.config.ConfigException;
import io.vxdump.config.ConfigFile;
import io.vxdump.config.ServeConfig;
import java.nio.file.Path;
import java.util.function.BiConsumer;
import picocli.CommandLine.Option;

/** The flags of {@code serve}; each overrides the configuration key of the same meaning. */
final class ServeOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
    Path config;
    @Option(names = "--listen", paramLabel = "[vxlan:|geneve:]HOST:PORT",
            description = "UDP address to receive on, VXLAN unless geneve: (a Gateway Load Balancer); repeat for several (default 0.0.0.0:4789).")
    java.util.List<String> listen = new java.util.ArrayList<>();
    @Option(names = "--output", paramLabel = "DIR", description = "Directory of the session directories (default ./captures).")
    String output;
    @Option(names = "--threads", paramLabel = "N", description = "Receive sockets/threads (default: cores, at most 4).")
    String threads;
    @Option(names = "--receive-path", paramLabel = "auto|socket|ring",
            description = "Read an AF_PACKET ring (needs CAP_NET_RAW), the listeners' UDP sockets, or (auto, the default) "
                    + "the ring where the process may open one and the sockets otherwise.")
    String receivePath;
    @Option(names = "--writer-threads", paramLabel = "N", description = "Writer threads; sessions are shared out among them (default 1).")
    String writerThreads;
    @Option(names = "--direct-io", paramLabel = "auto|on|off",
            description = "Write with direct I/O where the file system allows (default auto).")
    String directIo;
    @Option(names = "--ring-size", paramLabel = "SIZE", description = "Staging ring per receive thread and writer (default 64MiB).")
    String ringSize;

    @Option(names = "--burst-size", paramLabel = "SIZE|auto",
            description = "Most each staging ring may grow to while the disk is behind (default auto: from the machine's memory).")
    String burstSize;
    @Option(names = "--max-sessions", paramLabel = "N", description = "Sessions that may be made for unknown VNIs (default 1024).")
    String maxSessions;
    @Option(names = "--rotate-size", paramLabel = "SIZE", description = "Finish a file at this size (default 128MiB; 0 = off).")
    String rotateSize;
    @Option(names = "--rotate-interval", paramLabel = "DURATION", description = "Finish files at multiples of this (default 5m; 0 = off).")
    String rotateInterval;
    @Option(names = "--rotate-packets", paramLabel = "N", description = "Finish a file after N packets (default 0 = off).")
    String rotatePackets;
    @Option(names = "--keep-files", paramLabel = "N", description = "Finished files kept per session (default 0 = all).")
    String keepFiles;
    @Option(names = "--keep-bytes", paramLabel = "SIZE", description = "Bytes of finished files kept per session (default 0 = all).")
    String keepBytes;
    @Option(names = "--min-free", paramLabel = "SIZE|N%", description = "Free space kept on the output file system, deleting the oldest finished files of any session (default 5%%; 0 = off).")
    String minFree;
    @Option(names = "--max-bytes-total", paramLabel = "SIZE", description = "Bytes of finished files kept across all sessions (default 0 = no limit).")
    String maxBytesTotal;
    @Option(names = "--upload", paramLabel = "s3://BUCKET/PREFIX", description = "Upload every finished file there (upload.to).")
    String upload;
    @Option(names = "--precision", paramLabel = "micro|nano", description = "Timestamp precision of the files (default micro).")
    String precision;
    @Option(names = "--snaplen", paramLabel = "N", description = "Bytes kept of each frame (default 0 = whole frame).")
    String snaplen;
    @Option(names = "--unknown-vni", paramLabel = "capture|drop", description = "Packets of unconfigured VNIs (default capture).")
    String unknownVni;
    @Option(names = "--metrics", paramLabel = "HOST:PORT|off",
            description = "HTTP address of /metrics and /healthz (default 0.0.0.0:9464; off disables it).")
    String metrics;
    @Option(names = "--instance-id", paramLabel = "ID", description = "This instance's id in file names (default: the host name).")
    String instanceId;
    @Option(names = "--allow-source", paramLabel = "CIDR",
            description = "Outer source block allowed to send (repeatable; default any).")
    java.util.List<String> allowSources = new java.util.ArrayList<>();
    @Option(names = "--rule", paramLabel = "RULE", description = "Filter rule for sessions of unknown VNIs "
            + "(repeatable): 'NUMBER DIRECTION ACTION [key=value ...]', e.g. '100 inbound reject protocol=tcp destination-port=https'.")
    java.util.List<String> rules = new java.util.ArrayList<>();
    @Option(names = "--default-action", paramLabel = "accept|reject",
            description = "What --rule filters do with a packet no rule matches (default reject, as on AWS).")
    String defaultAction;
    @Option(names = "--post-rotate", paramLabel = "COMMAND", description = "Shell command run on each finished file; its path is appended.")
    String postRotate;
    @Option(names = "--post-rotate-timeout", paramLabel = "DURATION", description = "Kill a post-rotate command after this long (default 10m; 0 = never).")
    String postRotateTimeout;
    @Option(names = "--stop-timeout", paramLabel = "DURATION", description = "The most a stop takes: every file is finished, then post-rotate commands and uploads get what is left (default 60s).")
    String stopTimeout;
    @Option(names = "--unknown-vni-expire", paramLabel = "DURATION", description = "End a session made for an unknown VNI after this long without a packet (default 10m; 0 = never).")
    String unknownVniExpire;

    /** Defaults, then the file, then these flags. */
    ServeConfig resolve() throws ConfigException {
        ConfigBuilder b = new ConfigBuilder();
        if (config != null) {
            ConfigFile.apply(config, b);
        }
        if (!listen.isEmpty()) {
            b.clearListen();
            for (String l : listen) {
                set(b, "--listen", l, ConfigBuilder::addListen);
            }
        }
        set(b, "--output", output, ConfigBuilder::output);
        set(b, "--threads", threads, ConfigBuilder::threads);
        set(b, "--writer-threads", writerThreads, ConfigBuilder::writerThreads);
        set(b, "--receive-path", receivePath, ConfigBuilder::receivePath);
        set(b, "--direct-io", directIo, ConfigBuilder::directIo);
        set(b, "--ring-size", ringSize, ConfigBuilder::ringSize);
        set(b, "--burst-size", burstSize, ConfigBuilder::burstSize);
        set(b, "--max-sessions", maxSessions, ConfigBuilder::maxSessions);
        set(b, "--rotate-size", rotateSize, ConfigBuilder::rotateSize);
        set(b, "--rotate-interval", rotateInterval, ConfigBuilder::rotateInterval);
        set(b, "--rotate-packets", rotatePackets, ConfigBuilder::rotatePackets);
        set(b, "--keep-files", keepFiles, ConfigBuilder::keepFiles);
        set(b, "--keep-bytes", keepBytes, ConfigBuilder::keepBytes);
        set(b, "--min-free", minFree, ConfigBuilder::minFree);
        set(b, "--max-bytes-total", maxBytesTotal, ConfigBuilder::maxBytesTotal);
        set(b, "--upload", upload, ConfigBuilder::uploadTo);
        set(b, "--precision", precision, ConfigBuilder::precision);
        set(b, "--snaplen", snaplen, ConfigBuilder::snaplen);
        set(b, "--unknown-vni", unknownVni, ConfigBuilder::unknownVni);
        set(b, "--post-rotate", postRotate, ConfigBuilder::postRotate);
        set(b, "--post-rotate-timeout", postRotateTimeout, ConfigBuilder::postRotateTimeout);
        set(b, "--stop-timeout", stopTimeout, ConfigBuilder::stopTimeout);
        set(b, "--unknown-vni-expire", unknownVniExpire, ConfigBuilder::unknownVniExpire);
        set(b, "--metrics", metrics, ConfigBuilder::metrics);
        set(b, "--instance-id", instanceId, ConfigBuilder::instanceId);
        for (String cidr : allowSources) {
            set(b, "--allow-source", cidr, ConfigBuilder::allowSource);
        }
        for (String rule : rules) {
            set(b, "--rule", rule, ConfigBuilder::unknownVniRule);
        }
        set(b, "--default-action", defaultAction, ConfigBuilder::unknownVniDefaultAction);
        return b.build();
    }

    private static void set(ConfigBuilder b, String flag, String value, BiConsumer<ConfigBuilder, String> setter)
            throws ConfigException {
        if (value == null) {
            return;
        }
        try {
            setter.accept(b, value);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(flag + ": " + e.getMessage());
        }
    }
}
