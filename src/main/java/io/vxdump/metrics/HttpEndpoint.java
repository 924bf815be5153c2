package io.vxdump.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the two paths, exactly: {@code /metrics} and {@code /healthz} (a query string is
 * ignored); anything else is 404, a method other than GET or HEAD 405, a malformed request 400.
 * Each connection has a deadline for its next complete request; a connection that misses it is
 * closed.
 */
@ChannelHandler.Sharable
final class HttpEndpoint extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final AttributeKey<ScheduledFuture<?>> DEADLINE = AttributeKey.valueOf("vxdump.deadline");
    private static final AttributeKey<Boolean> ANSWERING = AttributeKey.valueOf("vxdump.answering");

    /** What is served once the daemon is up. */
    private record Served(PrometheusMeterRegistry registry, VxdumpMeters meters, HealthCheck health) {
    }

    private final Executor scrapes;
    private final int requestSeconds;
    private volatile Served served;

    HttpEndpoint(Executor scrapes, int requestSeconds) {
        this.scrapes = scrapes;
        this.requestSeconds = requestSeconds;
    }

    void serve(PrometheusMeterRegistry registry, VxdumpMeters meters, HealthCheck health) {
        served = new Served(registry, meters, health);
    }

    /** True while a request of {@code c} is being answered (the connection cap spares it). */
    static boolean answering(Channel c) {
        return Boolean.TRUE.equals(c.attr(ANSWERING).get());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        armDeadline(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        cancelDeadline(ctx.channel());
        ctx.channel().attr(ANSWERING).set(true);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            respond(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain; charset=utf-8", "bad request\n", false, false);
            return;
        }
        HttpMethod method = request.method();
        boolean head = method.equals(HttpMethod.HEAD);
        String uri = request.uri();
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        if (!path.equals("/metrics") && !path.equals("/healthz")) {
            respond(ctx, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8",
                    "not found: vxdump serves /metrics and /healthz\n", head, keepAlive);
            return;
        }
        if (!head && !method.equals(HttpMethod.GET)) {
            FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
                    "method not allowed\n", false);
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, r, keepAlive);
            return;
        }
        Served up = served;
        if (up == null) {
            respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "application/json",
                    "{\"status\":\"unavailable\",\"reasons\":[\"starting\"]}\n", head, keepAlive);
            return;
        }
        if (path.equals("/healthz")) {
            HealthCheck.Status s = up.health().check();
            respond(ctx, s.healthy() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "application/json", s.json(), head, keepAlive);
            return;
        }
        if (!ctx.channel().isWritable()) {
            // The last answer still sits unread in this connection's buffer: a client that asks
            // again without reading would pile scrapes up in our memory.
            ctx.close();
            return;
        }
        String accept = request.headers().get(HttpHeaderNames.ACCEPT);
        boolean openMetrics = accept != null && accept.contains("application/openmetrics-text");
        String type = openMetrics ? OPENMETRICS : TEXT;
        try {
            scrapes.execute(() -> {
                io.netty.buffer.ByteBuf body;
                try {
                    body = scrape(up, openMetrics);
                } catch (RuntimeException e) {
                    LOG.warn("scrape failed: {}", e.toString());
                    respond(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8",
                            "scrape failed\n", head, false);
                    return;
                }
                send(ctx, response(HttpResponseStatus.OK, type, body, head), keepAlive);
            });
        } catch (RejectedExecutionException e) {
            respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                    "too many scrapes at once; try again\n", head, keepAlive);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("HTTP connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body,
                         boolean head, boolean keepAlive) {
        send(ctx, response(status, type, body, head), keepAlive);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, String body, boolean head) {
        return response(status, type, Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)), head);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String type, io.netty.buffer.ByteBuf body,
                                             boolean head) {
        int length = body.readableBytes();
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, head ? Unpooled.EMPTY_BUFFER : body);
        if (head) {
            body.release();
        }
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return r;
    }

    private static final String EOF = "# EOF\n";

    /**
     * One scrape: Micrometer's meters (the JVM's, and vxdump's without a session label), then the
     * families with a session label, written directly ({@link SessionSeries}); OpenMetrics' closing
     * {@code # EOF} moves to the very end.
     */
    private static io.netty.buffer.ByteBuf scrape(Served up, boolean openMetrics) {
        up.meters().registerNewSessions();
        String meters = up.registry().scrape(openMetrics ? OPENMETRICS : TEXT);
        if (openMetrics && meters.endsWith(EOF)) {
            meters = meters.substring(0, meters.length() - EOF.length());
        }
        io.netty.buffer.ByteBuf body = Unpooled.buffer(meters.length() + (1 << 16));
        try {
            body.writeCharSequence(meters, StandardCharsets.UTF_8);
            up.meters().writeSessionSeries(body, openMetrics);
            if (openMetrics) {
                body.writeCharSequence(EOF, StandardCharsets.US_ASCII);
            }
            return body;
        } catch (RuntimeException e) {
            body.release();
            throw e;
        }
    }

    /** Thread-safe (Netty hands a write from another thread to the channel's loop). */
    private void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
            f.channel().attr(ANSWERING).set(false);
            if (!keepAlive || !f.isSuccess()) {
                f.channel().close();
            } else {
                armDeadline(ctx);
            }
        });
    }

    private void armDeadline(ChannelHandlerContext ctx) {
        Channel c = ctx.channel();
        ScheduledFuture<?> old = c.attr(DEADLINE).getAndSet(
                c.eventLoop().schedule(() -> {
                    if (!answering(c)) {
                        c.close();
                    }
                }, requestSeconds, TimeUnit.SECONDS));
        if (old != null) {
            old.cancel(false);
        }
    }

    private static void cancelDeadline(Channel c) {
        ScheduledFuture<?> f = c.attr(DEADLINE).getAndSet(null);
        if (f != null) {
            f.cancel(false);
        }
    }
}
