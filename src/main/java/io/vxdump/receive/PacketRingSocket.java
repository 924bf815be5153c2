package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.vxdump.metrics.LongCounter;
import io.vxdump.packet.Encapsulation;
import java.io.IOException;
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
 */
final class PacketRingSocket extends LoopReader {
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
    /**
     * A block with anything in it is handed over after this long: the most a quiet packet waits.
     * {@code -Dvxdump.ring.retire-millis} changes it (the tests' way to hold a block open until a
     * stop, which must still read it).
     */
    static final int RETIRE_MILLIS = Integer.getInteger("vxdump.ring.retire-millis", 8);
    /** Blocks read per wake-up before the loop's timers and tasks get their turn. */
    static final int MAX_BLOCKS = 16;
    /** Blocks read before a watermark. */
    static final int DRAIN_BLOCKS = 256;
    private static final int PACKET_FANOUT_HASH = 0;
    private static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    /**
     * Sent packets never reach the group (the socket's own PACKET_IGNORE_OUTGOING does not reach a
     * group's hook). Needed for fragments on loopback: without it the group reassembles the sent
     * copies, which the filter then refuses, and the received ones are duplicates to it.
     */
    private static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    private static final int PACKET_FANOUT_FLAG_DEFRAG = 0x8000;

    private final LinuxSocket sink;
    private final int fd;
    private final FileDescriptor descriptor;
    private final long ringAddress;
    private final long ringBytes;
    private final int blocks;
    private final int blockSize;
    private final ByteBuf ring;
    private final ByteBuffer stats = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final RingBlocks frames;
    private final LongCounter drops = new LongCounter();
    /** The next block to read: the kernel hands blocks over in order. */
    private int block;
    private boolean drained;

    private PacketRingSocket(LinuxSocket sink, int fd, long ringAddress, int blockSize, int blocks, IoEventLoop loop,
                             Encapsulation encapsulation, LongCounter received, InetSocketAddress local) {
        super(loop, local, "ring");
        this.sink = sink;
        this.fd = fd;
        this.descriptor = new FileDescriptor(fd);
        this.ringAddress = ringAddress;
        this.blockSize = blockSize;
        this.blocks = blocks;
        this.ringBytes = (long) blockSize * blocks;
        // A direct buffer over the mapping (JNI's NewDirectByteBuffer), as the staging rings' reserve is.
        this.ring = Unpooled.wrappedBuffer(new com.sun.jna.Pointer(ringAddress).getByteBuffer(0, ringBytes));
        this.frames = new RingBlocks(ring, local.getAddress(), encapsulation == Encapsulation.GENEVE, received);
    }

    /**
     * Why this process cannot have a ring, or null if it can: JNA did not load, or the kernel
     * refused an AF_PACKET socket (no CAP_NET_RAW, or a seccomp filter such as systemd's
     * {@code RestrictAddressFamilies}). What {@code receive.path: auto} decides by.
     */
    static String unavailableReason() {
        String why = PacketCalls.unavailableReason();
        if (why != null) {
            return "JNA did not load: " + why;
        }
        int fd = PacketCalls.socket(PacketCalls.AF_PACKET, PacketCalls.SOCK_DGRAM, 0);
        if (fd < 0) {
            int errno = PacketCalls.errno();
            return switch (errno) {
                case PacketCalls.EPERM -> "no CAP_NET_RAW";
                case PacketCalls.EAFNOSUPPORT -> "AF_PACKET sockets are not allowed here (EAFNOSUPPORT: a seccomp filter "
                        + "such as systemd's RestrictAddressFamilies)";
                default -> "an AF_PACKET socket was refused (errno " + errno + ")";
            };
        }
        PacketCalls.close(fd);
        return null;
    }

    /**
     * The port bound at {@code at} by a drop-all UDP socket, and a ring of about {@code ringBytes}
     * (whole blocks, at least 8; see {@link #blockSize}) on the interface that holds {@code at}
     * (every interface for a wildcard address), registered with {@code loop} but not yet read.
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
            int flags = PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG | (fanout == 0 ? PACKET_FANOUT_FLAG_UNIQUEID : 0);
            v.putInt(0, (fanout & 0xFFFF) | ((flags | PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16));
            if (PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_FANOUT, va, 4) < 0) {
                // A kernel before the flag (EINVAL), or a group made without it: the filter refuses
                // sent packets instead, but fragments sent over loopback then meet their own sent
                // copies in the group's reassembly (README, "The ring receive path").
                v.putInt(0, (fanout & 0xFFFF) | (flags << 16));
                check(PacketCalls.setsockopt(fd, PacketCalls.SOL_PACKET, PacketCalls.PACKET_FANOUT, va, 4), "PACKET_FANOUT");
            }
            PacketRingSocket s = new PacketRingSocket(sink, fd, address, blockSize, blockCount, loop, encapsulation,
                    received, bound);
            s.register();
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
    void readable() {
        read(MAX_BLOCKS);
    }

    /**
     * Reads what the ring holds, up to {@link #DRAIN_BLOCKS} blocks, and the ring's drop count:
     * true when nothing waits, not even in the block the kernel is filling (it counts its packets
     * as it adds them; we zero the count when we give a block back, so a block not yet reopened
     * reads 0).
     */
    @Override
    boolean drain() {
        read(DRAIN_BLOCKS);
        readStatistics();
        return drained && frames.packets(block * blockSize) == 0;
    }

    private void read(int budget) {
        DatagramProcessor p = processor;
        boolean empty = false;
        for (int n = 0; n < budget; n++) {
            int base = block * blockSize;
            if (!frames.handedOver(base)) {
                empty = true;
                break;
            }
            frames.read(base, p);
            frames.giveBack(base);
            block = block + 1 == blocks ? 0 : block + 1;
        }
        p.readComplete();
        drained = empty;
    }

    /**
     * What the kernel already put in the ring is ours to write, as what a socket queued is (the
     * receiver waits for the sockets to be read before it closes them): read the blocks handed
     * over, and the one being filled once the kernel hands it over (within {@link #RETIRE_MILLIS}).
     */
    private void drainForStop() {
        if (processor == null) {
            return;
        }
        long deadline = System.nanoTime() + 4L * RETIRE_MILLIS * 1_000_000L;
        while (true) {
            read(blocks); // at most one lap per look: under load more keeps coming
            if (frames.packets(block * blockSize) == 0 || System.nanoTime() > deadline) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
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

    /** No socket whose kernel drop counter is ours: the UDP socket drops everything by design. */
    @Override
    public int descriptor() {
        return -1;
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
    void release() {
        drainForStop();
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
