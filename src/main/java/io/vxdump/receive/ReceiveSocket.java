package io.vxdump.receive;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One bound receive socket on one receive thread: {@link MmsgSocket} (our own recvmmsg on Netty's
 * epoll loop) or {@link ChannelSocket} (Netty's datagram channel: the fallback, and NIO). The
 * {@link Receiver} binds them before the slow part of the start and starts them after it.
 */
interface ReceiveSocket {
    InetSocketAddress localAddress();

    /** The file descriptor (to find the socket's kernel counters), or -1 where there is none (NIO). */
    int descriptor();

    /** Starts reading into {@code processor}, which runs on this socket's thread from now on. */
    void start(DatagramProcessor processor) throws InterruptedException;

    /** SO_RCVBUF: up to net.core.rmem_max. */
    void receiveBuffer(int bytes) throws IOException;

    /** SO_RCVBUFFORCE: past net.core.rmem_max, with CAP_NET_ADMIN (else an IOException). */
    void forceReceiveBuffer(int bytes) throws IOException;

    /** The buffer size as the kernel reports it (twice what it grants, for its bookkeeping). */
    int receiveBuffer() throws IOException;

    boolean isOpen();

    /** Closes the socket on its thread; what it still held is discarded by the kernel. */
    void close() throws InterruptedException;
}
