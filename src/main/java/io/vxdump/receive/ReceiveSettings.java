package io.vxdump.receive;

import io.vxdump.config.Listener;
import io.vxdump.config.ReceivePath;
import java.util.List;

/**
 * Where and how to receive: the listeners (address and encapsulation), the number of sockets per
 * listener (one receive thread each, shared by all listeners) and the socket receive buffer to ask
 * the kernel for (0 keeps the kernel's default; with the ring path, the ring's size), and the path:
 * the UDP sockets, or an AF_PACKET ring per socket.
 */
public record ReceiveSettings(List<Listener> listeners, int threads, int socketBuffer, ReceivePath path) {
    public ReceiveSettings {
        listeners = List.copyOf(listeners);
    }

    /** Largest datagram received whole: AWS sends at most ~9000 bytes with jumbo frames. */
    public static final int MAX_DATAGRAM = 9216;
    /** Datagrams read by one recvmmsg call. */
    public static final int DATAGRAMS_PER_READ = 32;
}
