package io.vxdump.metrics;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * Holds at most {@code max} HTTP connections: a new one beyond that closes the oldest connection
 * that is not being answered. A flood of idle connections therefore cannot keep the load
 * balancer's health check out; it only shortens how long the idle ones live. Shared by every
 * connection of the one HTTP event loop, so it needs no lock.
 */
@ChannelHandler.Sharable
final class ConnectionCap extends ChannelInboundHandlerAdapter {
    private final int max;
    private final LinkedHashSet<Channel> open = new LinkedHashSet<>();

    ConnectionCap(int max) {
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        open.add(ctx.channel());
        if (open.size() > max) {
            Iterator<Channel> oldest = open.iterator();
            while (oldest.hasNext()) {
                Channel c = oldest.next();
                if (c != ctx.channel() && !HttpEndpoint.answering(c)) {
                    oldest.remove();
                    c.close();
                    break;
                }
            }
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.remove(ctx.channel());
        super.channelInactive(ctx);
    }
}
