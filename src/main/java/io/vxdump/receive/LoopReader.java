package io.vxdump.receive;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.vxdump.metrics.LongCounter;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What our own readers on a receive thread's epoll loop share ({@link MmsgSocket}: a UDP socket
 * read with recvmmsg; {@link PacketRingSocket}: an AF_PACKET ring): registered with the loop as an
 * {@link EpollIoHandle}, reading turned on by {@link #start} (level-triggered EPOLLIN), the
 * processor set and read on the loop's thread only, closed on that thread, and errors counted and
 * logged at most once a minute, never thrown: Netty's loop sleeps a second after an exception out
 * of a handle.
 */
abstract class LoopReader implements EpollIoHandle, ReceiveSocket {
    private static final Logger LOG = LoggerFactory.getLogger(LoopReader.class);
    private static final long ERROR_LOG_NANOS = 60_000_000_000L;

    final IoEventLoop loop;
    final InetSocketAddress local;
    /** The packet path; set on the loop's thread by {@link #start}, null until then. */
    DatagramProcessor processor;
    IoRegistration registration;
    volatile boolean closed;
    private final String name;
    private final LongCounter readErrors = new LongCounter();
    private long lastErrorLog = System.nanoTime() - ERROR_LOG_NANOS;

    /** @param name what the log calls it ({@code receive socket}, {@code ring}) */
    LoopReader(IoEventLoop loop, InetSocketAddress local, String name) {
        this.loop = loop;
        this.local = local;
        this.name = name;
    }

    /** Registers with the loop; nothing is read before {@link #start}. */
    final void register() throws InterruptedException {
        registration = loop.register(this).sync().getNow();
    }

    /** Epoll says there is something to read. */
    abstract void readable();

    /**
     * Reads what waits, within a budget, before the thread promises the writers a watermark: true
     * when nothing is left waiting.
     */
    abstract boolean drain();

    /** Gives back what the reader holds (its socket, its memory), on the loop's thread, once. */
    abstract void release();

    @Override
    public final void handle(IoRegistration r, IoEvent event) {
        try {
            readable();
        } catch (Throwable t) { // a bug: say so (at most once a minute) and keep the loop running
            failed(t.toString());
        }
    }

    /** {@link #drain} for the watermark, on the loop's thread; true before the start and after the close. */
    final boolean readQueued() {
        if (processor == null || closed) {
            return true;
        }
        try {
            return drain();
        } catch (RuntimeException e) { // a bug: as in handle()
            failed(e.toString());
            return false;
        }
    }

    /** A read failed: counted, and logged at most once a minute. */
    final void failed(String what) {
        readErrors.increment();
        long now = System.nanoTime();
        if (now - lastErrorLog >= ERROR_LOG_NANOS) {
            lastErrorLog = now;
            LOG.warn("{} {}: {} ({} such error(s) so far)", name, local, what, readErrors.get());
        }
    }

    @Override
    public final InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public final void start(DatagramProcessor p) throws InterruptedException {
        loop.submit(() -> {
            processor = p;
            registration.submit(EpollIoOps.EPOLLIN);
        }).sync();
    }

    @Override
    public final void close() throws InterruptedException {
        // Netty calls this on the loop itself when the loop shuts down with the handle registered.
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
        release();
    }
}
