package io.vxdump.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP endpoint: {@code GET /metrics} (Prometheus text, or OpenMetrics when the scraper asks
 * for it) and {@code GET /healthz} (200 or 503 with the reasons); every other path is 404.
 *
 * <p>The port is reachable by whatever reaches the host, so no client may hold it: the connections
 * live on one Netty event loop of their own (non-blocking: an idle or slow client costs its socket,
 * not a thread); each must send a whole request within {@link #REQUEST_SECONDS} of connecting or of
 * its last answer, and take an answer within {@link #WRITE_SECONDS}; at {@link #MAX_CONNECTIONS}
 * the oldest idle connection is closed for the new one, so a health checker always gets in.
 * {@code /healthz} is answered on the event loop; scrapes, which take seconds at 10,000 sessions,
 * run on a thread of their own with a short queue, so they never delay a health check.
 */
public final class MetricsServer {
    /** Seconds a connection has to deliver a complete request (slow or silent clients are closed). */
    static final int REQUEST_SECONDS = 10;
    /** Seconds an answer may take to reach the client. */
    static final int WRITE_SECONDS = 10;
    /** Connections held at once; well inside the descriptors the writers leave free (512). */
    static final int MAX_CONNECTIONS = 256;
    /** Scrapes waiting for the scrape thread; more are answered 503 at once. */
    static final int SCRAPE_QUEUE = 4;

    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("vxdump-http", true), NioIoHandler.newFactory());
    private final ScheduledThreadPoolExecutor scrapes = new ScheduledThreadPoolExecutor(1,
            new DefaultThreadFactory("vxdump-scrape", true));
    private final ThreadPoolExecutor scrapeQueue = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(SCRAPE_QUEUE), new DefaultThreadFactory("vxdump-scrape-run", true));
    private final HttpEndpoint endpoint;
    private final Channel server;

    /**
     * Binds the port at once (a taken port fails the start before its slow part); until
     * {@link #serve} both paths answer 503 "starting".
     */
    public MetricsServer(InetSocketAddress address) throws java.net.BindException, InterruptedException {
        ConnectionCap cap = new ConnectionCap(MAX_CONNECTIONS);
        endpoint = new HttpEndpoint(scrapeQueue, REQUEST_SECONDS);
        ServerBootstrap b = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 128)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(cap)
                                .addLast(new WriteTimeoutHandler(WRITE_SECONDS))
                                .addLast(new HttpServerCodec(4096, 8192, 8192))
                                .addLast(new HttpObjectAggregator(8192))
                                .addLast(endpoint);
                    }
                });
        try {
            server = b.bind(address).sync().channel();
        } catch (Exception e) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            scrapes.shutdownNow();
            scrapeQueue.shutdownNow();
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            java.net.BindException be = new java.net.BindException(m);
            be.initCause(e);
            throw be;
        }
    }

    /** Starts answering with these meters and this health check. */
    public void serve(PrometheusMeterRegistry registry, VxdumpMeters meters, HealthCheck health) {
        endpoint.serve(registry, meters, health);
        scrapes.scheduleAtFixedRate(health::sample, 1, 1, TimeUnit.SECONDS);
        // A listener a reload added gets its meter within a second even when nobody scrapes.
        scrapes.scheduleAtFixedRate(meters::registerNewSessions, 1, 1, TimeUnit.SECONDS);
    }

    /** The bound address (the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    public void stop() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        scrapes.shutdownNow();
        scrapeQueue.shutdownNow();
    }
}
