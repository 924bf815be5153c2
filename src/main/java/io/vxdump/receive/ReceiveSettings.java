package io.vxdump.receive;

import java.net.InetSocketAddress;

/**
 * Where and how to receive: the address, the number of sockets (one receive thread each) and the
 * socket receive buffer to ask the kernel for (0 keeps the kernel's default).
 */
public record ReceiveSettings(InetSocketAddress listen, int threads, int socketBuffer) {
    /** Largest datagram received whole: AWS sends at most ~9000 bytes with jumbo frames. */
    public static final int MAX_DATAGRAM = 9216;
    /** Datagrams read by one recvmmsg call. */
    public static final int DATAGRAMS_PER_READ = 32;
}
