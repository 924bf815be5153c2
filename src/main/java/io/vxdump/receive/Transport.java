package io.vxdump.receive;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;

/**
 * The socket transport: native epoll (SO_REUSEPORT, recvmmsg) where it loads, Java NIO otherwise.
 * NIO has neither, so it serves with one socket.
 */
enum Transport {
    EPOLL, NIO;

    static Transport best() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /** Why epoll is not in use, for the log line; null when it is. */
    static String epollUnavailableReason() {
        Throwable t = Epoll.unavailabilityCause();
        return t == null ? null : t.toString();
    }

    IoHandlerFactory ioHandlerFactory() {
        return this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }

    Class<? extends DatagramChannel> channelClass() {
        return this == EPOLL ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    boolean reusePort() {
        return this == EPOLL;
    }
}
