package io.vxdump.receive;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vxdump.config.Listener;
import io.vxdump.config.ReceivePath;
import io.vxdump.metrics.LongCounter;
import io.vxdump.packet.Encapsulation;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the receive sockets, one per event-loop thread, all on the same port (SO_REUSEPORT lets
 * the kernel spread flows across them), each with its own {@link DatagramProcessor}, and runs each
 * thread's timer (watermarks, writer wake-ups, clock) on that same thread.
 */
public final class Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(Receiver.class);
    /** Synthetic blocks through the ring's frame loop after the throwaway ring: enough calls for C2. */
    static final int RING_WARMUP_BLOCKS = 8_000;
    /** The warm-up's throwaway ring (ring path): small, it is read as it fills. */
    static final long WARMUP_RING = 8 << 20;
    /** How often a receive thread advances its watermark: the most a writer waits for an idle thread. */
    static final long TICK_MILLIS = 10;
    /**
     * Receive buffer of each socket from bind until reading starts: what arrives during the
     * start-up (recovery, warm-up) waits here. The kernel charges a small datagram ~830 bytes of
     * buffer, so 256 MiB holds ~160,000 of them per socket (the configured 64 MiB: ~80,000).
     * Memory is taken only as datagrams queue, and given back as they are read.
     */
    static final int STARTUP_BUFFER = 256 << 20;

    /**
     * {@code -Dvxdump.receive=netty} reads with Netty's datagram channel even where our own
     * recvmmsg ({@link MmsgSocket}) loads: the fallback path, on purpose (comparisons);
     * {@code nojna} makes the JNA binding count as unavailable, the path of a machine where it
     * cannot load (tests), and both make {@code receive.path: auto} take the socket path;
     * {@code ring} and {@code socket} take that path whatever {@code receive.path} says (the
     * build's integration-test runs).
     */
    static final String RECEIVE_PROPERTY = "vxdump.receive";

    private final ReceiveSettings settings;
    private final List<ReceiveSocket> sockets = new ArrayList<>();
    /** The receive thread (and so processor) of each socket. */
    private final List<Integer> socketThread = new ArrayList<>();
    private final List<DatagramProcessor> processors = new ArrayList<>();
    private final List<io.netty.channel.EventLoop> processorLoops = new ArrayList<>();
    private final java.util.Map<Listener, LongCounter[]> receivedByListener = new java.util.concurrent.ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Transport transport;
    private volatile int grantedBuffer;
    private volatile long[] socketInodes = new long[0];
    private volatile String bufferHow = "as asked";
    /** bind() set the start-up buffer with SO_RCVBUFFORCE (CAP_NET_ADMIN): start() must set it back. */
    private boolean startupWidened;
    /** Our own recvmmsg reads the sockets (else Netty's channel): decided once, at the first bind. */
    private boolean ownRecvmmsg;

    /** The path taken: {@code receive.path}, or what {@code auto} found at the first bind; never AUTO once the group is open. */
    private ReceivePath path;
    /** Why {@code auto} took {@link #path}, for the start-up line; null when the configuration named it. */
    private String pathWhy;

    public Receiver(ReceiveSettings settings) {
        this.settings = settings;
    }

    /**
     * The path to take: one forced by {@code -Dvxdump.receive}, the configured one, or for
     * {@code auto} the ring where this process may open one. The ring takes the kernel's copy off
     * the receive thread (bench/README, issue 17 step 8), so it is the one to have where allowed;
     * the socket path is what every unprivileged process has.
     */
    private ReceivePath choosePath() {
        String forced = System.getProperty(RECEIVE_PROPERTY);
        if ("ring".equals(forced)) {
            return ReceivePath.RING;
        }
        if ("socket".equals(forced)) {
            return ReceivePath.SOCKET;
        }
        if (settings.path() != ReceivePath.AUTO) {
            return settings.path();
        }
        if ("netty".equals(forced) || "nojna".equals(forced)) {
            pathWhy = "-D" + RECEIVE_PROPERTY + "=" + forced;
            return ReceivePath.SOCKET;
        }
        if (transport != Transport.EPOLL) {
            pathWhy = "no native epoll for a ring";
            return ReceivePath.SOCKET;
        }
        String refused = PacketRingSocket.unavailableReason();
        if (refused != null) {
            pathWhy = "no ring, " + refused;
            return ReceivePath.SOCKET;
        }
        pathWhy = "CAP_NET_RAW held";
        return ReceivePath.RING;
    }

    /** How many receive threads (and so session lanes) the settings will give on this machine. */
    public int sockets() {
        return Transport.best().reusePort() ? settings.threads() : 1;
    }

    /**
     * Binds the sockets, not yet read: for each listener, one per receive thread, all on the
     * listener's port (SO_REUSEPORT spreads flows across them). Called before the slow part of the
     * start (recovery, warm-up), so that what arrives meanwhile waits in the kernel's buffers, which
     * are {@link #STARTUP_BUFFER} large (with CAP_NET_ADMIN) until {@link #start} reads them.
     *
     * @return the listeners as bound (the real port where one asked for port 0)
     */
    public List<Listener> bind() throws InterruptedException, java.io.IOException, io.vxdump.config.ConfigException {
        int n = sockets();
        openGroup(n);
        List<io.netty.channel.EventLoop> loops = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : group) {
            loops.add((io.netty.channel.EventLoop) e);
        }
        List<Listener> bound;
        try {
            bound = bindListeners(loops, n);
        } catch (io.vxdump.config.ConfigException e) {
            if (path != ReceivePath.RING || pathWhy == null) {
                throw e;
            }
            // auto: the probe's socket was granted, but a ring could not be set up (its memory, an
            // old kernel): read the sockets rather than not start.
            LOG.warn("receive.path auto: no ring ({}); reading the UDP sockets", e.getMessage());
            for (ReceiveSocket s : sockets) {
                s.close();
            }
            sockets.clear();
            socketThread.clear();
            receivedByListener.clear();
            path = ReceivePath.SOCKET;
            pathWhy = "no ring, " + e.getMessage();
            bound = bindListeners(loops, n);
        }
        grantedBuffer = granted();
        int startup = Math.max(settings.socketBuffer(), STARTUP_BUFFER);
        if (transport == Transport.EPOLL && settings.socketBuffer() > 0) {
            try {
                for (ReceiveSocket s : sockets) {
                    s.forceReceiveBuffer(startup);
                }
                startupWidened = true;
            } catch (java.io.IOException e) {
                LOG.debug("no start-up receive buffer ({}): no CAP_NET_ADMIN", e.toString());
            }
        }
        socketInodes = sockets.stream().mapToInt(ReceiveSocket::descriptor).filter(fd -> fd >= 0)
                .mapToLong(Receiver::socketInode).filter(inode -> inode >= 0).toArray();
        if (ownRecvmmsg) {
            // Loading JNA takes ~170 ms of CPU: after the bind, beside the rest of the start.
            Thread jna = new Thread(Recvmmsg::available, "vxdump-load-jna");
            jna.setDaemon(true);
            jna.start();
        }
        return bound;
    }

    /** One socket (or ring) per receive thread for each listener, on the path chosen. */
    private List<Listener> bindListeners(List<io.netty.channel.EventLoop> loops, int n)
            throws InterruptedException, java.io.IOException, io.vxdump.config.ConfigException {
        List<Listener> bound = new ArrayList<>();
        for (Listener listener : settings.listeners()) {
            InetSocketAddress bindTo = listener.address();
            if (transport.reusePort() && bindTo.getPort() != 0) {
                refuseSharedPort(bindTo);
            }
            LongCounter[] counts = new LongCounter[n];
            int fanout = 0;
            for (int i = 0; i < n; i++) {
                counts[i] = new LongCounter();
                ReceiveSocket socket;
                if (path == ReceivePath.RING) {
                    PacketRingSocket ring = openRing(loops.get(i % loops.size()), listener.encapsulation(), counts[i],
                            bindTo, settings.socketBuffer(), fanout);
                    fanout = ring.fanoutGroup();
                    socket = ring;
                } else {
                    socket = open(loops.get(i % loops.size()), listener.encapsulation(), counts[i], bindTo, ownRecvmmsg);
                }
                if (bindTo.getPort() == 0) {
                    bindTo = new InetSocketAddress(bindTo.getAddress(), socket.localAddress().getPort());
                }
                sockets.add(socket);
                socketThread.add(i);
            }
            Listener b = listener.at(bindTo);
            bound.add(b);
            receivedByListener.put(b, counts);
        }
        return bound;
    }

    /**
     * A ring for {@code at} on {@code loop} (see {@link PacketRingSocket}), joining fanout group
     * {@code fanout} (0: a new one). A ring that cannot be had is a start-up error naming
     * {@code receive.path}, not a quiet fall back to the sockets: whoever asked for it sized the
     * host for it.
     */
    private PacketRingSocket openRing(io.netty.channel.EventLoop loop, Encapsulation encapsulation, LongCounter received,
                                      InetSocketAddress at, long ringBytes, int fanout)
            throws java.io.IOException, InterruptedException, io.vxdump.config.ConfigException {
        if (transport != Transport.EPOLL) {
            throw new io.vxdump.config.ConfigException("receive.path: ring needs native epoll, which did not load ("
                    + Transport.epollUnavailableReason() + ")");
        }
        try {
            return PacketRingSocket.bind((io.netty.channel.IoEventLoop) loop, at, encapsulation, received,
                    ringBytes, fanout);
        } catch (io.netty.channel.unix.Errors.NativeIoException e) {
            throw new java.net.BindException(io.vxdump.config.HostPort.bindProblem(at, e));
        } catch (java.io.IOException e) {
            throw new io.vxdump.config.ConfigException(e.getMessage());
        }
    }

    /** Datagrams the receive rings had no room for (the ring path's socket drops); any thread. */
    public long ringDrops() {
        long total = 0;
        for (ReceiveSocket s : sockets) {
            if (s instanceof PacketRingSocket r) {
                total += r.ringDrops();
            }
        }
        return total;
    }

    /**
     * A socket bound to {@code at} on {@code loop}, not yet read: our own recvmmsg where it loads
     * (epoll, the JNA binding, not turned off by {@link #RECEIVE_PROPERTY}), Netty's channel else.
     */
    private ReceiveSocket open(io.netty.channel.EventLoop loop, Encapsulation encapsulation, LongCounter received,
                               InetSocketAddress at, boolean own) throws java.io.IOException, InterruptedException {
        if (own) {
            try {
                return MmsgSocket.bind((io.netty.channel.IoEventLoop) loop, at, encapsulation, received,
                        settings.socketBuffer());
            } catch (java.io.IOException e) {
                throw new java.net.BindException(io.vxdump.config.HostPort.bindProblem(at, e));
            }
        }
        DatagramHandler handler = new DatagramHandler(encapsulation, received);
        try {
            Channel ch = bootstrap(loop, handler).option(ChannelOption.AUTO_READ, false).bind(at).sync().channel();
            return new ChannelSocket(ch, handler);
        } catch (io.netty.channel.ChannelException e) {
            throw new java.net.BindException(io.vxdump.config.HostPort.bindProblem(at, e));
        }
    }

    /**
     * Starts reading the bound sockets: socket i of every listener runs on receive thread i with
     * {@code processorsPerSocket.get(i)}: one thread, one processor, one lane, whatever the
     * encapsulation. The receive buffers go back to the configured size.
     */
    public void start(List<DatagramProcessor> processorsPerSocket) throws InterruptedException {
        if (ownRecvmmsg && !Recvmmsg.available()) {
            LOG.warn("own recvmmsg unavailable ({}); reading with Netty's datagram channel, timestamps in user space",
                    Recvmmsg.unavailableReason());
            ownRecvmmsg = false;
            for (int c = 0; c < sockets.size(); c++) {
                if (sockets.get(c) instanceof MmsgSocket m) {
                    sockets.set(c, m.toChannel());
                }
            }
        }
        int n = processorsPerSocket.size();
        List<io.netty.channel.EventLoop> loops = new ArrayList<>();
        for (io.netty.util.concurrent.EventExecutor e : group) {
            loops.add((io.netty.channel.EventLoop) e);
        }
        for (int i = 0; i < n; i++) {
            DatagramProcessor processor = processorsPerSocket.get(i);
            io.netty.channel.EventLoop loop = loops.get(i % loops.size());
            processors.add(processor);
            processorLoops.add(loop);
            loop.scheduleAtFixedRate(processor::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
            processor.answerWatermarkRequestsOn(loop);
        }
        for (int i = 0; i < n; i++) {
            List<LoopReader> own = new ArrayList<>();
            for (int c = 0; c < sockets.size(); c++) {
                if (socketThread.get(c) == i && sockets.get(c) instanceof LoopReader r) {
                    own.add(r);
                }
            }
            if (!own.isEmpty()) {
                // Kernel receive times: a watermark must not pass what still waits in the sockets.
                LoopReader[] mine = own.toArray(LoopReader[]::new);
                processorsPerSocket.get(i).readQueuedBeforeWatermark(() -> {
                    boolean empty = true;
                    for (LoopReader r : mine) {
                        empty &= r.readQueued();
                    }
                    return empty;
                });
            }
        }
        for (int c = 0; c < sockets.size(); c++) {
            sockets.get(c).start(processorsPerSocket.get(socketThread.get(c)));
        }
        if (startupWidened) {
            restoreWhenDrained();
            return;
        }
        if (settings.socketBuffer() > 0) {
            for (ReceiveSocket s : sockets) {
                try {
                    s.receiveBuffer(settings.socketBuffer());
                } catch (java.io.IOException e) {
                    LOG.warn("receive socket {}: SO_RCVBUF {} refused: {}", s.localAddress(), settings.socketBuffer(), e.toString());
                }
            }
        }
        grantedBuffer = granted();
        if (settings.socketBuffer() > 0 && grantedBuffer < settings.socketBuffer()) {
            forceBuffer();
        }
    }

    /**
     * Back to the configured buffer size once what queued during the start is below what that size
     * admits (the kernel allows twice the size asked): shrinking earlier would drop every arrival
     * until the queue drained below it. Usually at once; after a start under heavy load, on a thread
     * of its own a moment later.
     */
    private void restoreWhenDrained() {
        long admits = 2L * settings.socketBuffer();
        io.vxdump.metrics.SocketDrops queues = new io.vxdump.metrics.SocketDrops(this::socketInodes);
        if (queues.queued() < admits) {
            try {
                restoreConfiguredBuffer();
            } catch (java.io.IOException e) {
                LOG.warn("receive buffers stay at the start-up size: {}", e.toString());
            }
            return;
        }
        grantedBuffer = granted();
        bufferHow = "the start-up size until what queued during the start is read";
        Thread t = new Thread(() -> {
            try {
                while (queues.queued() >= admits && allBound()) {
                    Thread.sleep(20);
                }
                restoreConfiguredBuffer();
                LOG.info("receive buffers back to {} bytes each: what queued during the start is read", grantedBuffer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.io.IOException e) {
                LOG.debug("receive buffer not restored: {}", e.toString()); // the sockets closed meanwhile
            }
        }, "vxdump-buffer-restore");
        t.setDaemon(true);
        t.start();
    }

    /** SO_RCVBUFFORCE straight to the configured size (never a dip to rmem_max on the way). */
    private void restoreConfiguredBuffer() throws java.io.IOException {
        for (ReceiveSocket s : sockets) {
            s.forceReceiveBuffer(settings.socketBuffer());
        }
        grantedBuffer = granted();
        bufferHow = rmemMax() >= settings.socketBuffer() ? "as asked" : "SO_RCVBUFFORCE past net.core.rmem_max";
    }

    private static long rmemMax() {
        try {
            return Long.parseLong(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).trim());
        } catch (java.io.IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Datagrams read on each listener's sockets, by listener as bound; any thread. */
    public java.util.Map<Listener, Long> receivedByListener() {
        java.util.Map<Listener, Long> out = new java.util.LinkedHashMap<>();
        receivedByListener.forEach((l, counts) -> {
            long total = 0;
            for (LongCounter c : counts) {
                total += c.get();
            }
            out.put(l, total);
        });
        return out;
    }

    // Linux reports twice what it granted (the doubling covers its bookkeeping overhead).
    private int granted() {
        try {
            return sockets.get(0).receiveBuffer() / 2;
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /**
     * net.core.rmem_max capped the buffer: a process with CAP_NET_ADMIN may take the size asked
     * for anyway with SO_RCVBUFFORCE (as tcpdump and the kernel's own tools do). Says which it got.
     */
    private void forceBuffer() {
        if (transport == Transport.EPOLL) {
            try {
                for (ReceiveSocket s : sockets) {
                    s.forceReceiveBuffer(settings.socketBuffer());
                }
                grantedBuffer = granted();
                bufferHow = "SO_RCVBUFFORCE past net.core.rmem_max";
                return;
            } catch (java.io.IOException e) {
                bufferHow = "capped by net.core.rmem_max; SO_RCVBUFFORCE refused: no CAP_NET_ADMIN";
            }
        } else {
            bufferHow = "capped by net.core.rmem_max";
        }
        LOG.warn("socket receive buffer: asked for {} bytes, the kernel granted {}; raise net.core.rmem_max "
                + "to at least that (deploy/sysctl.conf), or run with CAP_NET_ADMIN", settings.socketBuffer(), grantedBuffer);
    }

    /**
     * The inodes of the bound receive sockets (epoll only; empty before {@link #start} and with
     * NIO), to find their kernel drop counters.
     */
    public long[] socketInodes() {
        return socketInodes;
    }

    /**
     * The inode of an open file descriptor of this process that is a socket ({@code socket:[N]}
     * in /proc/self/fd), or -1.
     */
    private static long socketInode(int fd) {
        try {
            String link = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd", String.valueOf(fd))).toString();
            if (link.startsWith("socket:[") && link.endsWith("]")) {
                return Long.parseLong(link.substring(8, link.length() - 1));
            }
        } catch (java.io.IOException | NumberFormatException e) {
            LOG.warn("cannot read the inode of receive socket fd {} ({}): vxdump_receive_socket_drops_total "
                    + "will not count its drops", fd, e.toString());
            return -1;
        }
        LOG.warn("receive socket fd {} is not a socket in /proc/self/fd: vxdump_receive_socket_drops_total "
                + "will not count its drops", fd);
        return -1;
    }

    /** How the receive buffer size came about, for the start-up line. */
    public String bufferHow() {
        return bufferHow;
    }

    private void openGroup(int threads) {
        if (group != null) {
            return;
        }
        transport = Transport.best();
        if (transport != Transport.EPOLL) {
            LOG.warn("native epoll unavailable ({}); using NIO with one socket", Transport.epollUnavailableReason());
        }
        path = choosePath();
        // Whether JNA loads (~170 ms of the start) is learnt after the bind, on a thread of its own:
        // the sockets are bound as ours, and become Netty channels at start() if it did not.
        ownRecvmmsg = transport == Transport.EPOLL && !"netty".equals(System.getProperty(RECEIVE_PROPERTY));
        group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("vxdump-receive", true),
                transport.ioHandlerFactory());
    }

    /**
     * Runs {@code datagrams} over loopback through a throwaway socket of the same kind, on the
     * receive threads, into {@code processor}: the socket read path (recvmmsg, Netty's channel
     * code, the handler) is compiled before the real port opens. Returns how many arrived.
     */
    long warmUp(DatagramProcessor processor, java.util.List<byte[]> payloads, byte[] fresh, int freshEvery, int datagrams)
            throws InterruptedException {
        openGroup(sockets());
        ReceiveSocket socket;
        try {
            InetSocketAddress loopback = new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0);
            if (path == ReceivePath.RING) {
                // The ring's own read loop, compiled before the real ring fills: left to the first
                // burst, its interpreted start cost a 256 MiB ring 8-11 % of a 1400 B load
                // (bench/README, issue 17 step 8; RingBlocks.warmUp does the rest).
                socket = openRing((io.netty.channel.EventLoop) group.next(), Encapsulation.VXLAN, new LongCounter(),
                        loopback, WARMUP_RING, 0);
            } else {
                socket = open((io.netty.channel.EventLoop) group.next(), Encapsulation.VXLAN, new LongCounter(),
                        loopback, ownRecvmmsg && Recvmmsg.available());
            }
            socket.start(processor);
        } catch (RuntimeException | java.io.IOException | io.vxdump.config.ConfigException e) {
            LOG.debug("socket warm-up skipped: {}", e.toString());
            return 0;
        }
        try (java.nio.channels.DatagramChannel out = java.nio.channels.DatagramChannel.open()) {
            out.connect(socket.localAddress());
            java.nio.ByteBuffer[] buffers = payloads.stream().map(java.nio.ByteBuffer::wrap)
                    .toArray(java.nio.ByteBuffer[]::new);
            java.nio.ByteBuffer freshBuffer = java.nio.ByteBuffer.wrap(fresh);
            int nextFresh = Warmup.socketRoundFirstVni();
            long deadline = System.nanoTime() + 3_000_000_000L;
            for (int i = 0; i < datagrams && System.nanoTime() < deadline; i++) {
                java.nio.ByteBuffer b = buffers[i % buffers.length];
                if (i % freshEvery == freshEvery - 1) { // a new session now and then, as in the direct round
                    int vni = nextFresh++;
                    fresh[4] = (byte) (vni >>> 16);
                    fresh[5] = (byte) (vni >>> 8);
                    fresh[6] = (byte) vni;
                    b = freshBuffer;
                }
                out.write(b.rewind());
                if ((i & 255) == 255) {
                    // Let the receiver keep up: a warm-up that overflows the socket warms less.
                    while (processor.received() < i - 4096 && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
            }
            long expect = datagrams * 9L / 10;
            while (processor.received() < expect && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        } catch (java.io.IOException e) {
            LOG.debug("socket warm-up stopped: {}", e.toString());
        } finally {
            socket.close();
        }
        if (socket instanceof PacketRingSocket) {
            // On the receive thread, where the real ring's frame loop will run.
            group.next().submit(() -> RingBlocks.warmUp(processor, payloads, RING_WARMUP_BLOCKS)).sync();
        }
        return processor.received();
    }

    /**
     * SO_REUSEPORT would let a second vxdump (same user) bind the same port and silently take half
     * the flows. A plain socket cannot bind a port anyone holds, so a probe bind tells us first.
     */
    private static void refuseSharedPort(InetSocketAddress address) throws java.io.IOException {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(null)) {
            probe.setReuseAddress(false);
            probe.bind(address);
        } catch (java.net.BindException e) {
            throw new java.net.BindException(io.vxdump.config.HostPort.bindProblem(address, e)
                    + (e.getMessage() != null && e.getMessage().contains("in use") ? " (another vxdump?)" : ""));
        }
    }

    private Bootstrap bootstrap(EventLoopGroup on, DatagramHandler handler) {
        Bootstrap b = new Bootstrap()
                .group(on)
                .channel(transport.channelClass())
                .handler(handler);
        if (settings.socketBuffer() > 0) {
            b.option(ChannelOption.SO_RCVBUF, settings.socketBuffer());
        }
        if (transport == Transport.EPOLL) {
            b.option(EpollChannelOption.SO_REUSEPORT, true)
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, ReceiveSettings.MAX_DATAGRAM)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, nettyBatches());
        } else {
            b.option(ChannelOption.RECVBUF_ALLOCATOR, allocator(65_536));
        }
        return b;
    }

    /** Netty's recvmmsg: one read fills a batch buffer with up to DATAGRAMS_PER_READ datagrams. */
    static FixedRecvByteBufAllocator nettyBatches() {
        return allocator(ReceiveSettings.MAX_DATAGRAM * ReceiveSettings.DATAGRAMS_PER_READ);
    }

    /** Reads of {@code size} bytes, up to 64 per wakeup, so one wakeup drains a busy socket. */
    private static FixedRecvByteBufAllocator allocator(int size) {
        FixedRecvByteBufAllocator a = new FixedRecvByteBufAllocator(size);
        a.maxMessagesPerRead(64);
        return a;
    }

    /**
     * Datagrams the kernel already queued for us are ours to write: before the sockets close (which
     * discards their queues), wait until the receive threads have read the queues down, for at most
     * {@link #DRAIN_MILLIS}. Matters after a start under load: what arrived during the warm-up waits
     * in the (start-up sized) buffers and may still be there when a stop comes.
     */
    private void drainQueued() throws InterruptedException {
        if (processors.isEmpty() || socketInodes.length == 0) {
            return;
        }
        io.vxdump.metrics.SocketDrops queues = new io.vxdump.metrics.SocketDrops(this::socketInodes);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
        long queued = queues.queued();
        if (queued > DRAINED_BYTES) {
            LOG.info("stopping: reading the {} bytes the receive sockets still hold", queued);
        }
        while (queued > DRAINED_BYTES && System.nanoTime() < deadline) {
            Thread.sleep(10);
            queued = queues.queued();
        }
        if (queued > DRAINED_BYTES) {
            LOG.warn("stopping: {} bytes still queued in the receive sockets after {} ms; they are lost "
                    + "(vxdump_receive_socket_drops_total does not count them)", queued, DRAIN_MILLIS);
        }
    }

    /** The most a stop waits for the receive sockets' queues to be read. */
    static final long DRAIN_MILLIS = 5000;
    /** A queue this small counts as read (under load it never reaches 0). */
    private static final long DRAINED_BYTES = 64 << 10;

    /** True while every receive socket is open and bound. */
    public boolean allBound() {
        if (sockets.isEmpty()) {
            return false;
        }
        for (ReceiveSocket s : sockets) {
            if (!s.isOpen()) {
                return false;
            }
        }
        return true;
    }

    public String transportName() {
        String how = pathName();
        return pathWhy == null ? how : how + " (receive.path auto: " + pathWhy + ")";
    }

    private String pathName() {
        if (transport != Transport.EPOLL) {
            return "nio";
        }
        if (path == ReceivePath.RING) {
            long bytes = sockets.isEmpty() || !(sockets.get(0) instanceof PacketRingSocket r) ? 0 : r.ringBytes();
            return "epoll, AF_PACKET TPACKET_V3 ring of " + (bytes >> 20) + " MiB per socket (fanout, the port held by a "
                    + "drop-all UDP socket), kernel receive timestamps";
        }
        return ownRecvmmsg ? "epoll, own recvmmsg (SO_REUSEPORT), kernel receive timestamps"
                : "epoll, Netty's recvmmsg (SO_REUSEPORT), timestamps read in user space";
    }

    /** The receive buffer size the kernel granted each socket. */
    public int grantedBuffer() {
        return grantedBuffer;
    }

    /**
     * Closes the sockets, then closes each thread's staging rings on its own thread, so the
     * writers know every packet is staged when this returns, and stops the threads.
     */
    public void stop() throws InterruptedException {
        drainQueued();
        for (ReceiveSocket s : sockets) {
            s.close();
        }
        for (int i = 0; i < processors.size(); i++) {
            // Each processor closes on its own thread: the same thread its sockets (one per listener) ran on.
            processorLoops.get(i).submit(processors.get(i)::close).sync();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }
}
