package io.vxdump.live;

import io.vxdump.capture.BpfMatcher;
import io.vxdump.pcap.PcapFormat;
import io.vxdump.pcap.Precision;
import io.vxdump.stage.StagingRing;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live stream's endpoint: a Unix domain socket (mode 0660, the daemon's group: packets are
 * sensitive, so never a TCP port) where a client asks for sessions and a filter in one line,
 * {@code WATCH <session,session|*>\t<filter>[\tnames]\n}, and gets a pcap stream (the files' precision) of their records
 * as the writers write them (with {@code names}, each record preceded by its session's name: a
 * length byte and the name, for {@code vxdump tail}'s terminal lines), or one line {@code ERROR <reason>}; or asks {@code SESSIONS\n} and
 * gets the routed sessions' names, a line each (what {@code vxdump extcap} lists). One thread per watcher reads the
 * watcher's rings (a merge by timestamp of their heads), filters in the daemon (libpcap, as
 * tcpdump), and writes to the socket; a client that stops reading blocks only that thread, and the
 * writers' offers into its full rings fail and are counted.
 */
public final class LiveServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveServer.class);
    private static final int RING_BYTES = 8 << 20;

    private final Path path;
    private final LiveTap tap;
    private final int writers;
    private final int maxWatchers;
    private final Precision precision;
    private final java.util.function.Supplier<java.util.List<String>> sessionNames;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private final CopyOnWriteArrayList<Stream> streams = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean closing;

    private LiveServer(Path path, LiveTap tap, int writers, int maxWatchers, Precision precision,
                       java.util.function.Supplier<java.util.List<String>> sessionNames, ServerSocketChannel server) {
        this.path = path;
        this.sessionNames = sessionNames;
        this.precision = precision;
        this.tap = tap;
        this.writers = writers;
        this.maxWatchers = maxWatchers;
        this.server = server;
        this.acceptor = new Thread(this::accept, "vxdump-live-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Binds {@code path} (a socket left by an earlier run is replaced) and starts accepting; streams
     * carry timestamps in {@code precision}, the files' own, so a stream is byte for byte the file;
     * {@code sessionNames} answers {@code SESSIONS}.
     */
    public static LiveServer start(Path path, LiveTap tap, int writers, int maxWatchers, Precision precision,
                                   java.util.function.Supplier<java.util.List<String>> sessionNames) throws IOException {
        if (Files.exists(path) && !Files.isRegularFile(path) && !Files.isDirectory(path)) {
            Files.delete(path); // a socket file outlives its process
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        LiveServer s = new LiveServer(path, tap, writers, maxWatchers, precision, sessionNames, server);
        s.acceptor.start();
        return s;
    }

    public Path path() {
        return path;
    }

    private void accept() {
        while (!closing) {
            SocketChannel c;
            try {
                c = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("live socket {}: {}", path, e.toString());
                }
                return;
            }
            if (connections.incrementAndGet() > maxWatchers) {
                connections.decrementAndGet();
                refuse(c, "the daemon has " + maxWatchers + " watcher(s) already (live.max-watchers)");
                continue;
            }
            Stream s = new Stream(c);
            streams.add(s);
            Thread t = new Thread(s::run, "vxdump-live-" + Integer.toHexString(System.identityHashCode(s)));
            t.setDaemon(true);
            s.thread = t;
            t.start();
        }
    }

    private static void refuse(SocketChannel c, String reason) {
        try (c) {
            c.write(ByteBuffer.wrap(("ERROR " + reason + "\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException ignored) {
            // the client went away first
        }
    }

    /** Watchers streaming now. */
    public int watchers() {
        return tap.watchers();
    }

    /** Ends every stream cleanly (what is buffered is sent) and removes the socket. */
    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Stream s : streams) {
            s.stop();
        }
        for (Stream s : streams) {
            try {
                s.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket is replaced at the next start
        }
    }

    /** One client: its request, its watcher, its sender loop. */
    private final class Stream {
        private final SocketChannel channel;
        private volatile boolean stopping;
        Thread thread;

        Stream(SocketChannel channel) {
            this.channel = channel;
        }

        void stop() {
            stopping = true;
            LockSupport.unpark(thread);
        }

        void run() {
            Watcher watcher = null;
            BpfMatcher filter = null;
            try (channel) {
                String request = readLine();
                if ("SESSIONS".equals(request)) {
                    StringBuilder names = new StringBuilder();
                    for (String n : sessionNames.get()) {
                        names.append(n).append('\n');
                    }
                    channel.write(ByteBuffer.wrap(names.toString().getBytes(StandardCharsets.UTF_8)));
                    return;
                }
                if (request == null || !request.startsWith("WATCH ")) {
                    refuse(channel, "expected WATCH <sessions>\\t<filter>");
                    return;
                }
                String[] parts = request.substring(6).split("\t", 3);
                boolean names = parts.length > 2 && parts[2].trim().equals("names");
                Set<String> sessions = new LinkedHashSet<>();
                for (String n : parts[0].split(",")) {
                    if (!n.isBlank() && !n.equals("*")) {
                        sessions.add(n.trim());
                    }
                }
                String expression = parts.length > 1 ? parts[1].trim() : "";
                if (!expression.isEmpty()) {
                    try {
                        filter = BpfMatcher.compile(expression, PcapFormat.LINKTYPE_ETHERNET);
                    } catch (IllegalArgumentException | IllegalStateException e) {
                        refuse(channel, e.getMessage());
                        return;
                    }
                }
                watcher = new Watcher(sessions, writers, RING_BYTES);
                if (!tap.add(watcher, maxWatchers)) {
                    refuse(channel, "the daemon has " + maxWatchers + " watcher(s) already (live.max-watchers)");
                    return;
                }
                LOG.info("live: a watcher of {}{}", sessions.isEmpty() ? "all sessions" : String.join(", ", sessions),
                        expression.isEmpty() ? "" : " (filter '" + expression + "')");
                stream(watcher, sessions, filter, names, new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
            } catch (IOException e) {
                LOG.debug("live: a watcher left: {}", e.toString());
            } finally {
                if (watcher != null) {
                    tap.remove(watcher);
                    watcher.close();
                }
                if (filter != null) {
                    filter.close();
                }
                streams.remove(this);
                connections.decrementAndGet();
            }
        }

        /**
         * True when the client has gone (end of file on the socket). A client sends nothing after
         * its request, so an idle stream learns of a `tail -c` that ended without waiting for a
         * record to write: its slot is free for the next watcher.
         */
        private boolean clientLeft() throws IOException {
            synchronized (channel.blockingLock()) {
                channel.configureBlocking(false);
                try {
                    return channel.read(ByteBuffer.allocate(1)) < 0;
                } finally {
                    channel.configureBlocking(true);
                }
            }
        }

        private String readLine() throws IOException {
            ByteBuffer b = ByteBuffer.allocate(4096);
            while (b.hasRemaining()) {
                if (channel.read(b) < 0) {
                    return null;
                }
                for (int i = 0; i < b.position(); i++) {
                    if (b.get(i) == '\n') {
                        return new String(b.array(), 0, i, StandardCharsets.UTF_8);
                    }
                }
            }
            return null;
        }

        /**
         * True when the watched sessions were routed once during this stream and none is now (a
         * reload removed them, or they expired): the stream ends, as a capture of them has.
         */
        private boolean sessionsGone(Set<String> watched, Set<String> seen) {
            if (watched.isEmpty()) {
                return false;
            }
            java.util.List<String> now = sessionNames.get();
            boolean any = false;
            for (String s : watched) {
                if (now.contains(s)) {
                    seen.add(s);
                    any = true;
                }
            }
            return !any && !seen.isEmpty();
        }

        private void stream(Watcher w, Set<String> watched, BpfMatcher filter, boolean names, OutputStream out)
                throws IOException {
            Set<String> seen = new java.util.HashSet<>();
            sessionsGone(watched, seen);
            ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
            header.putInt(precision.magic()).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144)
                    .putInt(PcapFormat.LINKTYPE_ETHERNET);
            out.write(header.array());
            out.flush();
            ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            byte[] frame = new byte[65_536];
            int sinceRelease = 0;
            int idle = 0;
            while (true) {
                StagingRing next = null;
                long best = Long.MAX_VALUE;
                for (StagingRing r : w.rings) {
                    if (r.hasRecord() && r.timestamp() < best) {
                        best = r.timestamp();
                        next = r;
                    }
                }
                if (next == null) {
                    for (StagingRing r : w.rings) {
                        r.release();
                    }
                    out.flush();
                    if (stopping || (++idle % 40 == 0 && (clientLeft() || sessionsGone(watched, seen)))) {
                        return;
                    }
                    LockSupport.parkNanos(5_000_000L); // a watcher sees packets within milliseconds
                    continue;
                }
                int caplen = next.caplen();
                int origlen = next.origlen();
                int session = next.session();
                if (frame.length < caplen) {
                    frame = new byte[caplen];
                }
                next.buffer().getBytes(next.frameIndex(), frame, 0, caplen);
                next.advance();
                if (++sinceRelease == 64) {
                    sinceRelease = 0;
                    next.release();
                    if (stopping) {
                        out.flush();
                        return;
                    }
                }
                if (filter != null && !filter.matches(frame, caplen, origlen)) {
                    continue;
                }
                if (names) {
                    byte[] name = tap.name(session).getBytes(StandardCharsets.UTF_8);
                    out.write(name.length);
                    out.write(name);
                }
                record.clear();
                record.putInt((int) (best / 1_000_000_000L)).putInt((int) (best % 1_000_000_000L / precision.nanosPerUnit()))
                        .putInt(caplen)
                        .putInt(origlen);
                out.write(record.array());
                out.write(frame, 0, caplen);
            }
        }
    }
}
