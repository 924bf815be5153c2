package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.vxdump.metrics.LongCounter;
import io.vxdump.packet.Encapsulation;
import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listener read through an AF_PACKET {@code TPACKET_V3} ring instead of its UDP socket
 * ({@code receive.path: ring}): the kernel copies each datagram for our port into a ring of blocks
 * mapped into this process, in its receive softirq, and this handle, registered on Netty's epoll
 * loop as {@link MmsgSocket} is, walks the blocks the kernel has handed over and runs the packet
 * path on each datagram where it lies: no system call and no copy per batch on this thread.
 *
 * <p>The port is still bound by a UDP socket, with a filter that drops everything: the kernel then
 * answers no datagram with a port-unreachable, queues nothing, and no other program can take the
 * port. Its drops (every datagram) are not ours to count; the ring's are
 * ({@link #ringDrops()}, from {@code PACKET_STATISTICS}). The ring sees a datagram before the IP
 * layer checks it: the UDP checksum is not verified, and a datagram for another address on this
 * port is skipped here. Fragments are reassembled by the fanout group ({@code
 * PACKET_FANOUT_FLAG_DEFRAG}), which also spreads flows over the receive threads.
 *
 * <p>Nothing is thrown out of {@link #handle}: Netty's loop sleeps a second after an exception.
 */
final class PacketRingSocket implements EpollIoHandle, ReceiveSocket {
    private static final Logger LOG = LoggerFactory.getLogger(PacketRingSocket.class);
    /**
     * Each block is handed to us whole; 128 KiB holds the largest datagram, or ~90 of 1,400 bytes.
     * Small blocks, many of them: the kernel hands a block over after {@link #RETIRE_MILLIS} however
     * little it holds, so at a low rate the ring holds {@code blocks × RETIRE_MILLIS} of traffic
     * whatever its size (with 1 MiB blocks, 64 × 4 ms: a restart at 50,000 pps lost 1.3 s after
     * the bind; with these, 512 × 8 ms = 4 s).
     */
    static final int BLOCK_SIZE = 128 << 10;
    /** The ring where {@code receive.socket-buffer} is 0 (for a socket: the kernel's default). */
    static final long DEFAULT_RING = 64L << 20;
    /** The smallest block: a ring smaller than 8 blocks of {@link #BLOCK_SIZE} has 8 smaller ones. */
    static final int MIN_BLOCK = 4 << 10;
    /** A block with anything in it is handed over after this long: the most a quiet packet waits. */
    static final int RETIRE_MILLIS = 8;
    /** Blocks read per wake-up before the loop's timers and tasks get their turn. */
    static final int MAX_BLOCKS = 16;
    /** Blocks read before a watermark. */
    static final int DRAIN_BLOCKS = 256;
    private static final int TP_STATUS_KERNEL = 0;
    private static final int TP_STATUS_USER = 1;
    // struct tpacket_block_desc (hdr.bh1) and struct tpacket3_hdr, Linux UAPI
    private static final int BLOCK_STATUS = 8;
    private static final int BLOCK_PACKETS = 12;
    private static final int BLOCK_FIRST = 16;
    private static final int FRAME_NEXT = 0;
    private static final int FRAME_SEC = 4;
    private static final int FRAME_NSEC = 8;
    private static final int FRAME_SNAPLEN = 12;
    private static final int FRAME_NET = 26;
    /** The sockaddr_ll after the 48-byte frame header: its sll_pkttype. */
    private static final int FRAME_PKTTYPE = 48 + 10;
    private static final int PACKET_OTHERHOST = 3;
    private static final int PACKET_OUTGOING = 4;
    private static final int PACKET_FANOUT_HASH = 0;
    private static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    /** The group's own hook is what the kernel consults: the socket's PACKET_IGNORE_OUTGOING does not reach it. */
    private static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    private static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
    private static final long ERROR_LOG_NANOS = 60_000_000_000L;

    private final LinuxSocket sink;
    private final int fd;
    private final FileDescriptor descriptor;
    private final long ringAddress;
    private final long ringBytes;
    private final int blocks;
    private final int blockSize;
    private final ByteBuf ring;
    private final ByteBuffer stats = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final IoEventLoop loop;
    private final boolean geneve;
    private final LongCounter received;
    private final InetSocketAddress local;
    /** The listener's address as the frames carry it; {@code any}: any address of this host. */
    private final boolean any;
    private final boolean acceptV4;
    private final boolean acceptV6;
    private final int local4;
    private final long local6High;
    private final long local6Low;
    private final LongCounter drops = new LongCounter();
    private final LongCounter readErrors = new LongCounter();
    private long lastErrorLog = System.nanoTime() - ERROR_LOG_NANOS;
    private DatagramProcessor processor;
    private IoRegistration registration;
    /** The next block to read: the kernel hands blocks over in order. */
    private int block;
    private boolean drained;
    private volatile boolean closed;

    private PacketRingSocket(LinuxSocket sink, int fd, long ringAddress, int blockSize, int blocks, IoEventLoop loop,
                             Encapsulation encapsulation, LongCounter received, InetSocketAddress local) {
        this.sink = sink;
        this.fd = fd;
        this.descriptor = new FileDescriptor(fd);
        this.ringAddress = ringAddress;
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.ringBytes = (long) blockSize * blocks;
        // A direct buffer over the mapping (JNI's NewDirectByteBuffer), as the staging rings' reserve is.
        this.ring = Unpooled.wrappedBuffer(new com.sun.jna.Pointer(ringAddress).getByteBuffer(0, ringBytes));
        this.loop = loop;
        this.geneve = encapsulation == Encapsulation.GENEVE;
        this.received = received;
        this.local = local;
        java.net.InetAddress a = local.getAddress();
        this.any = a.isAnyLocalAddress();
        this.acceptV6 = a instanceof Inet6Address;
        this.acceptV4 = a instanceof Inet4Address || (any && acceptV6);
        ByteBuf addr = Unpooled.wrappedBuffer(a.getAddress());
        this.local4 = a instanceof Inet4Address ? addr.getInt(0) : 0;
        this.local6High = a instanceof Inet6Address ? addr.getLong(0) : 0;
        this.local6Low = a instanceof Inet6Address ? addr.getLong(8) : 0;
    }

    /** Why rings cannot be had here (no JNA), or null. */
    static String unavailableReason() {
        return PacketCalls.unavailableReason();
    }

    /**
     * The port bound at {@code at} by a drop-all UDP socket, and a ring of about {@code ringBytes}
     * (whole blocks, at least 8; see {@link #blockSize}) on the interface that holds {@code at} (every interface for a
     * wildcard address), registered with {@code loop} but not yet read.
     *
     * @param fanout the fanout group to join, or 0 to make a new one (read it back with {@link #fanoutGroup})
     */
    static PacketRingSocket bind(IoEventLoop loop, InetSocketAddress at, Encapsulation encapsulation,
                                 LongCounter received, long ringBytes, int fanout) throws IOException, InterruptedException {
        String why = PacketCalls.unavailableReason();
        if (why != null) {
            throw new IOException("receive.path: ring needs JNA, which did not load (" + why + ")");
        }
        LinuxSocket sink = LinuxSocket.newSocketDgram(at.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        int fd = -1;
        long address = PacketCalls.MAP_FAILED;
        if (ringBytes <= 0) {
            ringBytes = DEFAULT_RING; // a socket's "the kernel's default" has no ring to mean
        }
        int blockSize = blockSize(ringBytes);
        int blockCount = (int) Math.max(8, Math.min(1 << 16, ringBytes / blockSize));
        long bytes = (long) blockCount * blockSize;
        try {
            sink.setReusePort(true);
            sink.setRawOpt(PacketCalls.SOL_SOCKET, PacketCalls.SO_ATTACH_FILTER, RingFilter.dropAll().program());
            sink.bind(at);
            InetSocketAddress bound = sink.localAddress();
            fd = PacketCalls.socket(PacketCalls.AF_PACKET, PacketCalls.SOCK_DGRAM, 0);
            if (fd < 0) {
                int errno = PacketCalls.errno();
                throw new IOException("receive.path: ring: an AF_PACKET socket was refused (errno " + errno
                        + (errno == PacketCalls.EPERM ? ": it needs CAP_NET_RAW" : "") + ")");
            }
            RingFilter filter = RingFilter.udpTo(bound.getPort());
            check(PacketCalls.setsockopt(fd, PacketCalls.SOL_SOCKET, PacketCalls.SO_ATTACH_FILTER, filter.address(),
                    RingFilter.FPROG_SIZE), "SO_ATTACH_FILTER");
            ByteBuffer v = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
            long va = io.netty.util.internal.PlatformDependent.directBufferAddress(v);
            v.putInt(0, PacketCalls.TPACKET_V3);
            check(PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_VERSION, va, 4), "PACKET_VERSION");
            v.putInt(0, 1);
            check(PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_IGNORE_OUTGOING, va, 4),
                    "PACKET_IGNORE_OUTGOING");
            int frame = Math.min(2048, blockSize);
            // struct tpacket_req3: block size, block count, frame size, frame count, retire timeout, priv, features
            v.putInt(0, blockSize).putInt(4, blockCount).putInt(8, frame).putInt(12, blockSize / frame * blockCount)
                    .putInt(16, RETIRE_MILLIS).putInt(20, 0).putInt(24, 0);
            check(PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_RX_RING, va, 28), "PACKET_RX_RING");
            address = PacketCalls.mmap(0, bytes, PacketCalls.PROT_READ_WRITE, PacketCalls.MAP_SHARED, fd, 0);
            if (address == PacketCalls.MAP_FAILED) {
                throw new IOException("receive.path: ring: mmap of " + bytes + " bytes failed (errno " + PacketCalls.errno() + ")");
            }
            // struct sockaddr_ll: family, protocol (network order), interface index
            v.clear();
            v.putShort(0, (short) PacketCalls.AF_PACKET).putShort(2, (short) PacketCalls.ETH_P_ALL_NETWORK)
                    .putInt(4, interfaceIndex(bound)).putLong(8, 0).putInt(16, 0);
            check(PacketCalls.bind(fd, va, 20), "bind");
            int group = fanout != 0 ? fanout : 0;
            int flags = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG | PACKET_FANOUT_FLAG_IGNORE_OUTGOING
                    | (fanout == 0 ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
            v.putInt(0, (group & 0xFFFF) | (flags << 16));
            check(PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_FANOUT, va, 4), "PACKET_FANOUT");
            PacketRingSocket s = new PacketRingSocket(sink, fd, address, blockSize, blockCount, loop, encapsulation,
                    received, bound);
            s.registration = loop.register(s).sync().getNow();
            return s;
        } catch (IOException | RuntimeException | InterruptedException e) {
            if (address != PacketCalls.MAP_FAILED) {
                PacketCalls.munmap(address, bytes);
            }
            if (fd >= 0) {
                PacketCalls.close(fd);
            }
            sink.close();
            throw e;
        }
    }

    /** {@link #BLOCK_SIZE}, or for a ring of fewer than 8 such blocks an eighth of it (a power of two, at least a page). */
    static int blockSize(long ringBytes) {
        if (ringBytes >= 8L * BLOCK_SIZE) {
            return BLOCK_SIZE;
        }
        return (int) Math.max(MIN_BLOCK, Long.highestOneBit(Math.max(1, ringBytes / 8)));
    }

    private static void check(int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException("receive.path: ring: " + what + " failed (errno " + PacketCalls.errno() + ")");
        }
    }

    /** The interface that holds {@code at}'s address; 0 (every interface) for a wildcard. */
    private static int interfaceIndex(InetSocketAddress at) throws IOException {
        if (at.getAddress().isAnyLocalAddress()) {
            return 0;
        }
        NetworkInterface i = NetworkInterface.getByInetAddress(at.getAddress());
        if (i == null) {
            throw new IOException("receive.path: ring: no interface holds " + at.getAddress().getHostAddress());
        }
        return i.getIndex();
    }

    /** The fanout group this ring is in, for the next ring of the same listener to join. */
    int fanoutGroup() throws IOException {
        ByteBuffer v = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        long va = io.netty.util.internal.PlatformDependent.directBufferAddress(v);
        v.putInt(4, 4);
        check(PacketCalls.getsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_FANOUT, va, va + 4),
                "getsockopt(PACKET_FANOUT)");
        return v.getInt(0) & 0xFFFF;
    }

    @Override
    public FileDescriptor fd() {
        return descriptor;
    }

    @Override
    public void handle(IoRegistration r, IoEvent event) {
        try {
            read(MAX_BLOCKS);
        } catch (Throwable t) { // a bug: say so (at most once a minute) and keep the loop running
            readErrors.increment();
            logError("ring " + local + ": " + t);
        }
    }

    /**
     * Reads what the ring holds, up to {@link #DRAIN_BLOCKS} blocks, and the ring's drop count,
     * before the thread promises the writers a watermark: true when nothing waits, not even in the
     * block the kernel is filling. Receive thread only.
     */
    boolean readQueued() {
        if (processor == null || closed) {
            return true;
        }
        try {
            read(DRAIN_BLOCKS);
            readStatistics();
            // The block the kernel fills next: it counts its packets as it adds them (we zero the
            // count when we hand a block back, so a block not yet reopened reads 0).
            return drained && ring.getIntLE(block * blockSize + BLOCK_PACKETS) == 0;
        } catch (RuntimeException e) {
            readErrors.increment();
            logError("ring " + local + ": " + e);
            return false;
        }
    }

    private void read(int budget) {
        DatagramProcessor p = processor;
        boolean empty = false;
        for (int n = 0; n < budget; n++) {
            int base = block * blockSize;
            if ((ring.getIntLE(base + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
                empty = true;
                break;
            }
            VarHandle.acquireFence(); // the block's contents are the kernel's before its status says ours
            readBlock(base, p);
            ring.setIntLE(base + BLOCK_PACKETS, 0);
            VarHandle.releaseFence(); // done with the contents before the kernel may refill them
            ring.setIntLE(base + BLOCK_STATUS, TP_STATUS_KERNEL);
            block = block + 1 == blocks ? 0 : block + 1;
        }
        p.readComplete();
        drained = empty;
    }

    private void readBlock(int base, DatagramProcessor p) {
        int count = ring.getIntLE(base + BLOCK_PACKETS);
        int frame = base + ring.getIntLE(base + BLOCK_FIRST);
        for (int i = 0; i < count; i++) {
            readFrame(frame, p);
            frame += ring.getIntLE(frame + FRAME_NEXT);
        }
    }

    /**
     * One datagram: its sender, length and receive time from the IP and UDP headers and the frame
     * header; a datagram for another address of this host is not ours and is skipped.
     */
    private void readFrame(int frame, DatagramProcessor p) {
        int kind = ring.getByte(frame + FRAME_PKTTYPE);
        if (kind == PACKET_OUTGOING || kind == PACKET_OTHERHOST) {
            return; // sent by this host (loopback shows it twice), or for another host's MAC
        }
        int captured = ring.getIntLE(frame + FRAME_SNAPLEN);
        int ip = frame + (ring.getShortLE(frame + FRAME_NET) & 0xFFFF);
        long at = (ring.getIntLE(frame + FRAME_SEC) & 0xFFFFFFFFL) * 1_000_000_000L + ring.getIntLE(frame + FRAME_NSEC);
        int version = (ring.getByte(ip) & 0xFF) >>> 4;
        boolean v4 = version == 4;
        int header;
        int s4 = 0;
        long hi = 0;
        long lo = 0;
        if (v4) {
            if (!acceptV4 || (!any && local4 != ring.getInt(ip + 16))) {
                return;
            }
            header = (ring.getByte(ip) & 0x0F) * 4;
            s4 = ring.getInt(ip + 12);
        } else if (version == 6) {
            if (!acceptV6 || (!any && (local6High != ring.getLong(ip + 24) || local6Low != ring.getLong(ip + 32)))) {
                return;
            }
            header = 40;
            hi = ring.getLong(ip + 8);
            lo = ring.getLong(ip + 16);
        } else {
            return;
        }
        received.increment();
        int udp = ip + header;
        int wire = captured >= header + 8 ? (ring.getShort(udp + 4) & 0xFFFF) - 8 : -1;
        if (header < 20 || wire < 0) {
            // Not a UDP datagram one can read: counted as a decap error by the packet path.
            wire = 0;
        }
        int length = Math.min(Math.min(wire, captured - header - 8), ReceiveSettings.MAX_DATAGRAM);
        if (length < 0) {
            length = 0;
        }
        if (geneve) {
            p.processGeneve(ring, udp + 8, length, wire, v4, s4, hi, lo, at);
        } else {
            p.process(ring, udp + 8, length, wire, v4, s4, hi, lo, at);
        }
    }

    /** PACKET_STATISTICS: the kernel resets its counts as we read them, so they add up here. */
    private void readStatistics() {
        long a = io.netty.util.internal.PlatformDependent.directBufferAddress(stats);
        stats.putInt(12, 12);
        if (PacketCalls.getsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_STATISTICS, a, a + 12) == 0) {
            int dropped = stats.getInt(4);
            if (dropped != 0) {
                drops.add(dropped & 0xFFFFFFFFL);
            }
        }
    }

    /** Datagrams the ring had no room for (the reader was behind); any thread. */
    long ringDrops() {
        return drops.get();
    }

    /** Bytes of the ring (kernel memory, mapped here). */
    long ringBytes() {
        return ringBytes;
    }

    private void logError(String what) {
        long now = System.nanoTime();
        if (now - lastErrorLog >= ERROR_LOG_NANOS) {
            lastErrorLog = now;
            LOG.warn("{} ({} such error(s) so far)", what, readErrors.get());
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    /** No socket whose kernel drop counter is ours: the UDP socket drops everything by design. */
    @Override
    public int descriptor() {
        return -1;
    }

    @Override
    public void start(DatagramProcessor p) throws InterruptedException {
        loop.submit(() -> {
            processor = p;
            registration.submit(EpollIoOps.EPOLLIN);
        }).sync();
    }

    /** The ring's size is fixed when it is made. */
    @Override
    public void receiveBuffer(int bytes) {
    }

    @Override
    public void forceReceiveBuffer(int bytes) {
    }

    /** As the kernel reports a socket buffer: twice what it holds. */
    @Override
    public int receiveBuffer() {
        return (int) Math.min(Integer.MAX_VALUE, 2 * ringBytes);
    }

    @Override
    public boolean isOpen() {
        return !closed && sink.isOpen();
    }

    @Override
    public void close() throws InterruptedException {
        if (loop.inEventLoop() || loop.isShutdown()) {
            closeNow();
            return;
        }
        loop.submit(this::closeNow).sync();
    }

    private void closeNow() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        readStatistics();
        PacketCalls.munmap(ringAddress, ringBytes);
        PacketCalls.close(fd);
        try {
            sink.close();
        } catch (IOException e) {
            LOG.debug("closing the port's UDP socket {}: {}", local, e.toString());
        }
    }
}
