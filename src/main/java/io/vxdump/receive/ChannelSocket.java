package io.vxdump.receive;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;

/** A receive socket that is a Netty datagram channel (epoll or NIO) feeding a {@link DatagramHandler}. */
final class ChannelSocket implements ReceiveSocket {
    /** SO_RCVBUFFORCE (SOL_SOCKET 1, option 33): a buffer past net.core.rmem_max, for CAP_NET_ADMIN. */
    private static final IntegerUnixChannelOption SO_RCVBUFFORCE = new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);

    private final Channel channel;
    private final DatagramHandler handler;

    ChannelSocket(Channel channel, DatagramHandler handler) {
        this.channel = channel;
        this.handler = handler;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public int descriptor() {
        return channel instanceof io.netty.channel.unix.UnixChannel u ? u.fd().intValue() : -1;
    }

    @Override
    public void start(DatagramProcessor processor) throws InterruptedException {
        // On the socket's own thread: the handler sees its processor before the first read.
        channel.eventLoop().submit(() -> handler.processor(processor)).sync();
        channel.config().setAutoRead(true);
    }

    @Override
    public void receiveBuffer(int bytes) throws IOException {
        try {
            channel.config().setOption(ChannelOption.SO_RCVBUF, bytes);
        } catch (io.netty.channel.ChannelException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public void forceReceiveBuffer(int bytes) throws IOException {
        if (!(channel instanceof io.netty.channel.unix.UnixChannel)) {
            throw new IOException("SO_RCVBUFFORCE needs the epoll transport");
        }
        try {
            channel.config().setOption(SO_RCVBUFFORCE, bytes);
        } catch (io.netty.channel.ChannelException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    @Override
    public int receiveBuffer() {
        return channel.config().getOption(ChannelOption.SO_RCVBUF);
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
    }
}
