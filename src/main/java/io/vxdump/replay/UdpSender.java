package io.vxdump.replay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends datagrams to one target from a socket per source port, through Netty's epoll datagram
 * channel (several queued datagrams go out in one sendmmsg) or NIO where epoll is missing. Writes
 * are queued and flushed in batches; a channel that cannot take more makes the caller wait. Each
 * socket is connected to the target, so an ICMP port unreachable comes back as an error
 * ({@link #refused()}) instead of vanishing.
 */
final class UdpSender implements Closeable {
    private final InetSocketAddress target;
    private final EventLoopGroup group;
    private final Class<? extends DatagramChannel> channelClass;
    private final Map<Integer, Channel> channels = new HashMap<>();
    private final Map<Channel, ChannelFuture> lastWrite = new HashMap<>();
    private final List<Channel> dirty = new ArrayList<>();
    private int portsUnavailable;
    private Channel last;
    private volatile String refused;
    private final SendOnly sendOnly = new SendOnly();

    /**
     * The sockets only send; what arrives is dropped. An error is the kernel passing on an ICMP
     * error for the connected target: remembered, and the replay stops.
     */
    @io.netty.channel.ChannelHandler.Sharable
    private final class SendOnly extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
            noteFailure(cause);
        }
    }

    private void noteFailure(Throwable cause) {
        if (refused == null) {
            String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            refused = cause instanceof java.net.PortUnreachableException || m.contains("refused")
                    ? "connection refused (ICMP port unreachable): nothing listens there" : m;
        }
    }

    /** Why the target refused the datagrams (an ICMP error came back), or null. */
    String refused() {
        return refused;
    }

    UdpSender(InetSocketAddress target) {
        this.target = target;
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("vxdump-replay", true), io);
        this.channelClass = epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /** Binds and closes one socket, so native loading and class initialisation do not delay the first packet. */
    void warmUp() throws InterruptedException {
        new Bootstrap().group(group).channel(channelClass).handler(sendOnly)
                .bind(0).sync().channel().close().sync();
    }

    /**
     * Queues one datagram from {@code sourcePort}; call {@link #flush()} to send what is queued.
     * Datagrams leave in the order given: when the port changes, what the previous port queued is
     * flushed first (every socket runs on one event loop, so flushes happen in order). Consecutive
     * datagrams of one port still go out together, in one sendmmsg.
     */
    void send(byte[] payload, int sourcePort) throws InterruptedException {
        Channel ch = channel(sourcePort);
        if (last != null && last != ch) {
            last.flush();
            dirty.remove(last);
        }
        last = ch;
        while (!ch.isWritable()) {
            ch.flush();
            LockSupport.parkNanos(20_000);
        }
        ChannelFuture f = ch.write(Unpooled.wrappedBuffer(payload));
        f.addListener(w -> {
            if (!w.isSuccess()) {
                noteFailure(w.cause());
            }
        });
        lastWrite.put(ch, f);
        if (!dirty.contains(ch)) {
            dirty.add(ch);
        }
    }

    void flush() {
        for (Channel ch : dirty) {
            ch.flush();
        }
        dirty.clear();
    }

    /** Sends what is queued and waits until it has left (or failed). */
    void flushAndWait() throws InterruptedException {
        flush();
        for (ChannelFuture f : lastWrite.values()) {
            f.await(10, TimeUnit.SECONDS);
        }
    }

    /** Source ports that could not be bound (another socket held them); an ephemeral port was used. */
    int portsUnavailable() {
        return portsUnavailable;
    }

    private Channel channel(int port) throws InterruptedException {
        Channel ch = channels.get(port);
        if (ch == null) {
            Bootstrap b = new Bootstrap().group(group).channel(channelClass)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .handler(sendOnly);
            ChannelFuture bound = b.bind(port).await();
            if (!bound.isSuccess()) {
                portsUnavailable++;
                bound = b.bind(0).sync();
            }
            ch = bound.channel();
            ch.connect(target).sync();
            channels.put(port, ch);
        }
        return ch;
    }

    /** Sends everything queued, waits until it left, and closes the sockets. */
    @Override
    public void close() {
        flush();
        try {
            for (ChannelFuture f : lastWrite.values()) {
                f.await(10, TimeUnit.SECONDS);
            }
            for (Channel ch : channels.values()) {
                ch.close().await(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
