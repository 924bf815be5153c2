package io.vxdump.config;

import io.vxdump.filter.Cidr;
import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.archive.StorageLimits;
import io.vxdump.pcap.RotationPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The effective configuration of {@code vxdump serve}: defaults, then the file, then the flags.
 *
 * @param listen          where to receive, each with its encapsulation
 * @param threads         receive sockets per listener (and receive threads)
 * @param socketBuffer    SO_RCVBUF to ask for, bytes (with the ring path: the ring's size)
 * @param receivePath     the UDP sockets, an AF_PACKET ring, or auto: the ring where CAP_NET_RAW allows it
 * @param write           staging rings, writer threads, write blocks, direct I/O, open files
 * @param retention       what each session keeps
 * @param storage         what all sessions together keep: the free-space floor, the total size
 * @param snaplen         bytes kept of each frame for sessions that set none; 0 = whole frame
 * @param maxSessions     sessions that may be made for unknown VNIs
 * @param allowSources    outer source addresses allowed to send; empty = any
 * @param unknownVniFilter the filter of sessions made for unknown VNIs ({@code --rule})
 * @param instanceId      this instance's id in file names
 * @param metrics         where /metrics and /healthz are served; empty = off
 * @param healthMaxIdleSeconds /healthz fails after this long without a datagram; 0 = never
 * @param upload          where finished files are uploaded; empty = nowhere
 * @param postRotateTimeoutSeconds a post-rotate command is killed after this long; 0 = never
 * @param postRotateConcurrency    post-rotate commands run at once
 * @param stopTimeoutSeconds       what a stop gives post-rotate commands and uploads after finishing every file
 * @param unknownVniExpireSeconds  sessions made for unknown VNIs end after this long without a packet; 0 = never
 * @param live            the live socket
 */
public record ServeConfig(List<Listener> listen, Path output, int threads, long socketBuffer, ReceivePath receivePath,
                          WriteConfig write, RotationPolicy rotation, Retention retention, StorageLimits storage,
                          Precision precision, int snaplen, Optional<String> postRotate, UnknownVni unknownVni,
                          int maxSessions, List<SessionConfig> sessions, List<Cidr> allowSources,
                          SessionFilter unknownVniFilter, String instanceId,
                          Optional<InetSocketAddress> metrics, long healthMaxIdleSeconds,
                          Optional<io.vxdump.upload.UploadSettings> upload, long postRotateTimeoutSeconds,
                          int postRotateConcurrency, long stopTimeoutSeconds, long unknownVniExpireSeconds,
                          LiveConfig live) {

    public ServeConfig {
        listen = List.copyOf(listen);
        sessions = List.copyOf(sessions);
        allowSources = List.copyOf(allowSources);
    }

    /** The effective settings as check-config prints them, one per line. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append("listen: ").append(listen.size() == 1 ? listen.get(0).format()
                : listen.stream().map(Listener::format).toList().toString()).append('\n');
        s.append("output: ").append(output).append('\n');
        s.append("instance-id: ").append(instanceId).append('\n');
        s.append("metrics: ").append(metrics.map(HostPort::format).orElse("off")).append('\n');
        s.append("health: {max-idle: ").append(Units.formatDuration(healthMaxIdleSeconds)).append("}\n");
        s.append(live.describe()).append('\n');
        s.append("receive: {threads: ").append(threads).append(", socket-buffer: ")
                .append(Units.formatSize(socketBuffer)).append(", path: ").append(receivePath.label()).append("}\n");
        s.append("staging: {ring-size: ").append(Units.formatSize(write.ringSize())).append(", burst-size: ")
                .append(write.burstSize() == WriteConfig.AUTO_BURST ? "auto" : Units.formatSize(write.burstSize())).append("}\n");
        s.append("writer: {threads: ").append(write.threads()).append(", buffer-memory: ")
                .append(Units.formatSize(write.blockMemory())).append(", block-size: ")
                .append(Units.formatSize(write.blockSize())).append(", direct-io: ")
                .append(write.directIo().name().toLowerCase()).append(", max-open-files: ")
                .append(write.maxOpenFiles() == 0 ? "auto" : String.valueOf(write.maxOpenFiles()))
                .append(", sync-interval: ").append(Units.formatMillis(write.syncMillis())).append("}\n");
        s.append("rotation: {max-size: ").append(Units.formatSize(rotation.maxBytes()))
                .append(", interval: ").append(Units.formatDuration(rotation.intervalNanos() / 1_000_000_000L))
                .append(", max-packets: ").append(rotation.maxPackets()).append("}\n");
        s.append("retention: {max-files: ").append(retention.maxFiles()).append(", max-bytes: ")
                .append(Units.formatSize(retention.maxBytes())).append(", min-free: ").append(floorText())
                .append(", max-bytes-total: ").append(Units.formatSize(storage.maxBytesTotal())).append("}\n");
        s.append("upload: ").append(upload.map(u -> "{to: " + u.target() + ", region: " + u.region().orElse("default")
                + ", endpoint: " + u.endpoint().map(Object::toString).orElse("AWS") + ", path-style: " + u.pathStyle()
                + ", storage-class: " + u.storageClass().orElse("default") + ", delete-after-upload: "
                + u.deleteAfterUpload() + ", concurrency: " + u.concurrency() + ", part-size: "
                + Units.formatSize(u.partSize()) + ", shutdown-timeout: " + Units.formatDuration(u.shutdownSeconds())
                + ", max-backlog-age: " + Units.formatDuration(u.maxBacklogSeconds()) + "}").orElse("off")).append('\n');
        s.append("pcap: {precision: ").append(precision.name().toLowerCase()).append(", snaplen: ")
                .append(snaplen).append("}\n");
        s.append("post-rotate: ").append(postRotate.map(c -> "\"" + c + "\"").orElse("none")).append('\n');
        s.append("post-rotate-timeout: ").append(Units.formatDuration(postRotateTimeoutSeconds)).append('\n');
        s.append("post-rotate-concurrency: ").append(postRotateConcurrency).append('\n');
        s.append("stop-timeout: ").append(Units.formatDuration(stopTimeoutSeconds)).append('\n');
        s.append("unknown-vni-expire: ").append(Units.formatDuration(unknownVniExpireSeconds)).append('\n');
        s.append("unknown-vni: ").append(unknownVni.name().toLowerCase()).append('\n');
        s.append("max-sessions: ").append(maxSessions).append('\n');
        s.append("allow-sources: ").append(allowSources.isEmpty() ? "any" : allowSources.toString()).append('\n');
        s.append("sessions:").append(sessions.isEmpty() ? " none configured" : "").append('\n');
        for (SessionConfig c : sessions) {
            s.append("  - {vni: ").append(c.vni()).append(", name: ").append(c.name())
                    .append(", snaplen: ").append(c.snaplen()).append("}\n");
            s.append(c.filter().describe("    "));
        }
        if (unknownVni == UnknownVni.CAPTURE) {
            s.append("  - any other VNI N: session vni-N, snaplen ").append(snaplen).append('\n');
            s.append(unknownVniFilter.describe("    "));
        }
        return s.toString();
    }

    /** The free-space floor as configured: {@code 5%}, {@code 20GiB} or {@code 0}. */
    public String floorText() {
        StorageLimits s = storage;
        if (s.minFreePercent() > 0) {
            double p = s.minFreePercent();
            return (p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p)) + "%";
        }
        return Units.formatSize(s.minFreeBytes());
    }

    /**
     * The keys that differ in {@code next} but take a restart to change: the sockets, threads,
     * memory, output location and file format. Everything else (sessions, their names, filters and
     * snaplens, allow-sources, rotation, retention, post-rotate) a reload applies.
     */
    public List<String> restartOnlyChanges(ServeConfig next) {
        List<String> keys = new java.util.ArrayList<>();
        changed(keys, "listen", listen, next.listen);
        changed(keys, "output", output, next.output);
        changed(keys, "instance-id", instanceId, next.instanceId);
        changed(keys, "metrics", metrics, next.metrics);
        changed(keys, "receive.threads", threads, next.threads);
        changed(keys, "receive.socket-buffer", socketBuffer, next.socketBuffer);
        changed(keys, "receive.path", receivePath, next.receivePath);
        changed(keys, "staging.ring-size", write.ringSize(), next.write.ringSize());
        changed(keys, "staging.burst-size", write.burstSize(), next.write.burstSize());
        changed(keys, "writer.threads", write.threads(), next.write.threads());
        changed(keys, "writer.buffer-memory", write.blockMemory(), next.write.blockMemory());
        changed(keys, "writer.block-size", write.blockSize(), next.write.blockSize());
        changed(keys, "writer.direct-io", write.directIo(), next.write.directIo());
        changed(keys, "writer.max-open-files", write.maxOpenFiles(), next.write.maxOpenFiles());
        changed(keys, "writer.sync-interval", write.syncMillis(), next.write.syncMillis());
        changed(keys, "pcap.precision", precision, next.precision);
        changed(keys, "unknown-vni", unknownVni, next.unknownVni);
        changed(keys, "max-sessions", maxSessions, next.maxSessions);
        changed(keys, "health.max-idle", healthMaxIdleSeconds, next.healthMaxIdleSeconds);
        changed(keys, "live", live, next.live);
        changed(keys, "upload", upload, next.upload);
        changed(keys, "post-rotate-concurrency", postRotateConcurrency, next.postRotateConcurrency);
        changed(keys, "stop-timeout", stopTimeoutSeconds, next.stopTimeoutSeconds);
        changed(keys, "unknown-vni-expire", unknownVniExpireSeconds, next.unknownVniExpireSeconds);
        return keys;
    }

    private static void changed(List<String> keys, String key, Object was, Object now) {
        if (!java.util.Objects.equals(was, now)) {
            keys.add(key);
        }
    }
}
