package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEventLoop;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.vxdump.metrics.LongCounter;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A receive socket read by our own {@code recvmmsg} on Netty's epoll event loop: registered as an
 * {@link EpollIoHandle} (level-triggered EPOLLIN), it reads batches of up to {@link #SLOTS}
 * datagrams into its {@link MmsgBatch} and runs the packet path on each slot in place. Per
 * datagram nothing is allocated and no JNI call comes back into Java: the sender is read from the
 * slot's sockaddr, the length and MSG_TRUNC from its mmsghdr. It keeps reading while batches come
 * back full, up to {@link #MAX_BATCHES} per wake-up, then returns to the loop so its timers and
 * tasks (watermarks, wake-ups) run; epoll wakes it again while data waits.
 * <p>
 * Nothing is thrown out of {@link #handle}: Netty's loop sleeps a second after an exception.
 */
final class MmsgSocket extends LoopReader {
    private static final Logger LOG = LoggerFactory.getLogger(MmsgSocket.class);
    static final int SLOTS = 64;
    static final int MAX_BATCHES = 16;

    private final LinuxSocket socket;
    private final int fd;
    /** The loop's task queue, asked before each nap (a waiting task ends the naps). */
    private final io.netty.util.concurrent.SingleThreadEventExecutor executor;
    private final MmsgBatch batch = new MmsgBatch(SLOTS, ReceiveSettings.MAX_DATAGRAM);
    private final boolean geneve;
    private final LongCounter received;
    private int used = SLOTS;

    private MmsgSocket(LinuxSocket socket, IoEventLoop loop, io.vxdump.packet.Encapsulation encapsulation,
                       LongCounter received) throws IOException {
        super(loop, socket.localAddress(), "receive socket");
        this.socket = socket;
        this.fd = socket.intValue();
        this.executor = loop instanceof io.netty.util.concurrent.SingleThreadEventExecutor e ? e : null;
        this.geneve = encapsulation == io.vxdump.packet.Encapsulation.GENEVE;
        this.received = received;
    }

    /**
     * A socket bound to {@code at} with SO_REUSEPORT, registered with {@code loop} but not yet read
     * (what arrives waits in the kernel's buffer until {@link #start}).
     */
    static MmsgSocket bind(IoEventLoop loop, InetSocketAddress at, io.vxdump.packet.Encapsulation encapsulation,
                           LongCounter received, int receiveBuffer) throws IOException, InterruptedException {
        LinuxSocket s = LinuxSocket.newSocketDgram(at.getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        try {
            s.setReusePort(true);
            // Each datagram's arrival time as the kernel saw it: a record's timestamp is when the
            // packet came, not when a busy (or stopped) thread got to it.
            s.setRawOpt(MmsgBatch.SOL_SOCKET, MmsgBatch.SCM_TIMESTAMPNS,
                    ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, 1));
            if (receiveBuffer > 0) {
                s.setReceiveBufferSize(receiveBuffer);
            }
            s.bind(at);
            MmsgSocket m = new MmsgSocket(s, loop, encapsulation, received);
            m.register();
            return m;
        } catch (IOException | RuntimeException | InterruptedException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }


    /**
     * Reads while batches come back full, within the budget. When a read empties the socket after
     * only part of a batch, the thread naps {@link #NAP_NANOS} and reads again rather than going
     * back to epoll at once: at a steady rate a wake-up per handful of datagrams cost more than
     * the datagrams (each a recvmmsg and an epoll_wait; bench/README.md, issue 17), while a nap
     * lets a batch gather. Records carry the kernel's receive time, so reading later changes no
     * timestamp. A read that finds nothing, a nap budget spent, or a task waiting for the loop
     * (a writer's watermark request) ends the wake-up.
     */
    @Override
    void readable() {
        for (int naps = 0; ; naps++) {
            int got = read(MAX_BATCHES);
            if (!drained || got == 0 || got >= SLOTS || naps == MAX_NAPS || tasksWaiting()) {
                return; // level-triggered: epoll brings us back while data waits
            }
            java.util.concurrent.locks.LockSupport.parkNanos(NAP_NANOS);
        }
    }

    /** The pause after a partial batch: ~60 datagrams' time at 300 kpps, nothing in a 64 MiB buffer. */
    static final long NAP_NANOS = 200_000;
    /** Naps per wake-up before the loop's timers and tasks get their turn. */
    static final int MAX_NAPS = 4;
    private boolean tasksWaiting() {
        return executor != null && executor.pendingTasks() > 0;
    }

    /** The last read found the socket empty. */
    private boolean drained;

    /** Reads what the socket holds, up to {@link #DRAIN_BATCHES} batches: true when it is empty now. */
    @Override
    boolean drain() {
        read(DRAIN_BATCHES);
        return drained;
    }

    /** At most this many batches (4,096 datagrams) read before a watermark. */
    static final int DRAIN_BATCHES = 64;

    /**
     * Reads up to {@code batches} batches and returns the datagrams read; {@link #drained} says
     * whether the last call found the socket empty.
     */
    private int read(int batches) {
        DatagramProcessor p = processor;
        boolean empty = false;
        int total = 0;
        for (int round = 0; round < batches; round++) {
            batch.reset(used);
            int n = Recvmmsg.recvmmsg(fd, batch.address(), SLOTS, Recvmmsg.MSG_DONTWAIT | Recvmmsg.MSG_TRUNC, 0);
            if (n <= 0) {
                used = 0;
                empty = true;
                if (n < 0) {
                    int errno = Recvmmsg.errno();
                    if (errno != Recvmmsg.EAGAIN && errno != Recvmmsg.EINTR) {
                        failed("recvmmsg failed, errno " + errno);
                    }
                }
                break;
            }
            used = n;
            total += n;
            processSlots(batch, n, p, geneve, received);
            if (n < SLOTS) {
                empty = true;
                break;
            }
        }
        p.readComplete();
        drained = empty;
        return total;
    }

    /**
     * Runs the packet path on the first {@code n} slots of {@code batch} as the kernel left them:
     * length and MSG_TRUNC from the mmsghdr, the sender from the sockaddr, the receive time from
     * the control message. Package-private for the JMH benchmark of this loop.
     */
    static void processSlots(MmsgBatch batch, int n, DatagramProcessor p, boolean geneve, LongCounter received) {
        ByteBuf data = batch.data();
        for (int i = 0; i < n; i++) {
            int wire = batch.length(i);
            int length = Math.min(wire, batch.slotSize());
            received.increment();
            boolean v4 = batch.senderIsIpv4(i);
            int s4 = v4 ? batch.sender4(i) : 0;
            long hi = v4 ? 0 : batch.sender6High(i);
            long lo = v4 ? 0 : batch.sender6Low(i);
            long at = batch.kernelNanos(i);
            if (geneve) {
                p.processGeneve(data, batch.index(i), length, wire, v4, s4, hi, lo, at);
            } else {
                p.process(data, batch.index(i), length, wire, v4, s4, hi, lo, at);
            }
        }
    }

    /**
     * This bound socket handed to Netty's datagram channel (JNA did not load): our registration
     * goes, the channel takes the same file descriptor (what queued stays queued) on the same loop.
     * Not yet reading: {@link ChannelSocket#start} turns reading on.
     */
    ChannelSocket toChannel() throws InterruptedException {
        loop.submit(() -> {
            if (registration != null) {
                registration.cancel();
            }
        }).sync();
        io.netty.channel.epoll.EpollDatagramChannel ch = new io.netty.channel.epoll.EpollDatagramChannel(fd);
        DatagramHandler handler = new DatagramHandler(geneve ? io.vxdump.packet.Encapsulation.GENEVE
                : io.vxdump.packet.Encapsulation.VXLAN, received);
        ch.config().setAutoRead(false);
        ch.config().setOption(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, ReceiveSettings.MAX_DATAGRAM);
        ch.config().setOption(io.netty.channel.ChannelOption.RECVBUF_ALLOCATOR, Receiver.nettyBatches());
        ch.pipeline().addLast(handler);
        loop.register(ch).sync();
        batch.close();
        return new ChannelSocket(ch, handler);
    }


    @Override
    public int descriptor() {
        return fd;
    }


    @Override
    public void receiveBuffer(int bytes) throws IOException {
        socket.setReceiveBufferSize(bytes);
    }

    @Override
    public void forceReceiveBuffer(int bytes) throws IOException {
        ByteBuffer value = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putInt(0, bytes);
        socket.setRawOpt(1, 33, value); // SOL_SOCKET, SO_RCVBUFFORCE
    }

    @Override
    public int receiveBuffer() throws IOException {
        return socket.getReceiveBufferSize();
    }

    @Override
    public boolean isOpen() {
        return !closed && socket.isOpen();
    }

    @Override
    void release() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing receive socket {}: {}", local, e.toString());
        }
        batch.close();
    }
}
