package io.vxdump.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint: {@code GET /metrics} (Prometheus text, or OpenMetrics when the scraper asks
 * for it) and {@code GET /healthz} (200 or 503 with the reasons). It runs on its own thread, the
 * JDK's small HTTP server: no HTTP work ever touches a receive thread.
 */
public final class MetricsServer {
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final VxdumpMeters meters;
    private final HealthCheck health;
    private final HttpServer server;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "vxdump-http");
        t.setDaemon(true);
        return t;
    });

    public MetricsServer(InetSocketAddress address, PrometheusMeterRegistry registry, VxdumpMeters meters,
                         HealthCheck health) throws IOException {
        this.registry = registry;
        this.meters = meters;
        this.health = health;
        this.server = HttpServer.create(address, 16);
        server.createContext("/metrics", this::metrics);
        server.createContext("/healthz", this::healthz);
        server.setExecutor(thread);
    }

    public void start() {
        server.start();
        thread.scheduleAtFixedRate(health::sample, 1, 1, TimeUnit.SECONDS);
        // New sessions get their meters here, not in the scrape, so a scrape after thousands of new
        // sessions still answers quickly.
        thread.scheduleAtFixedRate(meters::registerNewSessions, 1, 1, TimeUnit.SECONDS);
    }

    /** The bound address (the real port when port 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    public void stop() {
        server.stop(0);
        thread.shutdownNow();
    }

    private void metrics(HttpExchange ex) throws IOException {
        if (!allowGet(ex)) {
            return;
        }
        meters.registerNewSessions();
        String accept = ex.getRequestHeaders().getFirst("Accept");
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        respond(ex, 200, type, registry.scrape(type));
    }

    private void healthz(HttpExchange ex) throws IOException {
        if (!allowGet(ex)) {
            return;
        }
        HealthCheck.Status s = health.check();
        respond(ex, s.healthy() ? 200 : 503, "application/json", s.json());
    }

    private static boolean allowGet(HttpExchange ex) throws IOException {
        String m = ex.getRequestMethod();
        if (m.equals("GET") || m.equals("HEAD")) {
            return true;
        }
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
        return false;
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("HTTP client went away: {}", e.toString());
        }
    }
}
