package io.vxdump.it;

import static io.vxdump.testing.Frames.ethernet;
import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.tcp;
import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics after known traffic: exact values, the accounting identity, promtool, OpenMetrics; /healthz. */
class MetricsIT {
    @TempDir
    Path dir;

    /** Sample lines {@code name{labels} value} as a map from {@code name{labels}} to the value. */
    static Map<String, Double> samples(String exposition) {
        Map<String, Double> out = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                int space = line.lastIndexOf(' ');
                out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
            }
        }
        return out;
    }

    @Test
    void countsAfterKnownTrafficAreExactAndAddUp() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, """
                max-sessions: 1
                rotation: {max-packets: 2}
                sessions:
                  - vni: 100
                    name: web
                    monitored: [10.0.1.10/32]
                    filter:
                      rules:
                        - {number: 100, direction: inbound, action: reject, protocol: tcp, destination-port: https}
                        - {number: 200, direction: any, action: accept}
                """);
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0", "--output", "out");
        try (d) {
            byte[] https = ethernet(0x0800, ipv4(6, "203.0.113.5", "10.0.1.10", tcp(51000, 443, new byte[10])));
            byte[] http = ethernet(0x0800, ipv4(6, "203.0.113.5", "10.0.1.10", tcp(51000, 80, new byte[10])));
            byte[] cut = Frames.cut(ethernet(0x0800, ipv4(6, "10.0.1.10", "203.0.113.5", tcp(80, 51000, new byte[900]))), 80);
            List<byte[]> datagrams = new ArrayList<>(List.of(vxlan(100, https), vxlan(100, https),
                    vxlan(100, http), vxlan(100, http), vxlan(100, http), vxlan(100, cut),
                    vxlan(7, Frames.arp()), vxlan(7, Frames.arp()), vxlan(8, Frames.arp()), new byte[9]));
            d.send(datagrams);
            Thread.sleep(1200); // the flush timer puts everything on disk within a second

            var response = d.http("/metrics", null);
            assertEquals(200, response.getKey());
            assertTrue(response.getValue().contains("#content-type text/plain; version=0.0.4"), "Prometheus text format");
            Map<String, Double> m = samples(response.getValue());
            assertEquals(10.0, m.get("vxdump_datagrams_received_total"));
            assertEquals(4.0, m.get("vxdump_packets_written_total{session=\"web\"}"));
            assertEquals(2.0, m.get("vxdump_packets_written_total{session=\"vni-7\"}"));
            assertEquals(2.0, m.get("vxdump_packets_filtered_total{session=\"web\"}"));
            assertEquals(0.0, m.get("vxdump_packets_filtered_total{session=\"vni-7\"}"));
            assertEquals(1.0, m.get("vxdump_packets_truncated_total{session=\"web\"}"));
            assertEquals(2.0, m.get("vxdump_filter_rule_matches_total{direction=\"inbound\",rule=\"100\",session=\"web\"}"));
            assertEquals(4.0, m.get("vxdump_filter_rule_matches_total{direction=\"any\",rule=\"200\",session=\"web\"}"));
            assertEquals(0.0, m.get("vxdump_filter_rule_matches_total{direction=\"any\",rule=\"default\",session=\"web\"}"));
            assertEquals(1.0, m.get("vxdump_datagrams_dropped_total{reason=\"decap_error\",session=\"\"}"));
            assertEquals(1.0, m.get("vxdump_datagrams_dropped_total{reason=\"session_limit\",session=\"\"}"));
            assertEquals(0.0, m.get("vxdump_datagrams_dropped_total{reason=\"unknown_vni\",session=\"\"}"));
            assertEquals(0.0, m.get("vxdump_datagrams_dropped_total{reason=\"writer_backlog\",session=\"web\"}"));
            assertEquals(0.0, m.get("vxdump_datagrams_dropped_total{reason=\"write_error\",session=\"web\"}"));
            assertEquals(0.0, m.get("vxdump_packets_pending"));
            assertEquals(2.0, m.get("vxdump_sessions"));
            assertEquals(2.0, m.get("vxdump_files_finished_total{session=\"web\"}"), "rotated after 2 packets");
            assertEquals(1.0, m.get("vxdump_files_finished_total{session=\"vni-7\"}"));
            assertEquals(0.0, m.get("vxdump_files_deleted_total{reason=\"session_limit\",session=\"web\"}"));
            long webBytes = 2 * 24 + 3 * (16 + http.length) + (16 + cut.length);
            assertEquals((double) webBytes, m.get("vxdump_bytes_written_total{session=\"web\"}"));
            assertTrue(m.get("vxdump_output_free_bytes") > 0);
            assertTrue(m.containsKey("vxdump_udp_receive_buffer_errors_total"));
            assertTrue(m.containsKey("vxdump_udp_in_errors_total"));
            double dropped = m.entrySet().stream().filter(e -> e.getKey().startsWith("vxdump_datagrams_dropped_total"))
                    .mapToDouble(Map.Entry::getValue).sum();
            double written = m.entrySet().stream().filter(e -> e.getKey().startsWith("vxdump_packets_written_total"))
                    .mapToDouble(Map.Entry::getValue).sum();
            double filtered = m.entrySet().stream().filter(e -> e.getKey().startsWith("vxdump_packets_filtered_total"))
                    .mapToDouble(Map.Entry::getValue).sum();
            assertEquals(m.get("vxdump_datagrams_received_total"), written + filtered + dropped + m.get("vxdump_packets_pending"),
                    "received = written + filtered + dropped + pending");
            assertTrue(response.getValue().contains("jvm_memory_used_bytes"), "JVM binders");
            // the names every Prometheus client exports and dashboards query
            assertTrue(m.get("process_cpu_seconds_total") > 0, "process_cpu_seconds_total");
            assertTrue(m.get("process_resident_memory_bytes") > 10e6, "process_resident_memory_bytes");
            assertTrue(m.get("process_start_time_seconds") > 1.7e9, "process_start_time_seconds");
            assertTrue(m.get("system_cpu_count") >= 1, "system_cpu_count");
            String buildInfo = m.keySet().stream().filter(k -> k.startsWith("vxdump_build_info{")).findFirst().orElseThrow();
            assertTrue(buildInfo.matches("vxdump_build_info\\{revision=\"[0-9a-f]{7,}\",version=\"[^\"]+\"\\}"), buildInfo);
            assertEquals(1.0, m.get(buildInfo));
            assertTrue(response.getValue().contains("netty_allocator_memory_used"), "Netty allocator binder");

            Requirements.require(Requirements.sh("promtool", "--version") == 0, "promtool (Debian package prometheus) is missing");
            Path exposition = dir.resolve("metrics.txt");
            Files.writeString(exposition, response.getValue().substring(0, response.getValue().lastIndexOf("\n#content-type")));
            Process p = new ProcessBuilder("promtool", "check", "metrics").redirectInput(exposition.toFile())
                    .redirectErrorStream(true).start();
            String lint = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            // system_cpu_count keeps Micrometer's name, which JVM dashboards query, though promtool
            // would rather no gauge ended in _count: the one finding allowed.
            String findings = lint.lines().filter(l -> !l.startsWith("system_cpu_count ")).collect(
                    java.util.stream.Collectors.joining("\n"));
            assertEquals("", findings, "promtool check metrics:\n" + lint);

            var open = d.http("/metrics", "application/openmetrics-text; version=1.0.0");
            assertTrue(open.getValue().contains("#content-type application/openmetrics-text"), open.getValue());
            assertTrue(open.getValue().contains("# EOF\n"), "OpenMetrics ends with # EOF");

            var health = d.http("/healthz", null);
            assertEquals(200, health.getKey());
            assertTrue(health.getValue().startsWith("{\"status\":\"ok\"}"), health.getValue());
            assertEquals(0, d.terminate(5));
        }
    }

    @Test
    void maxIdleFailsTheHealthCheckOnlyWhenAsked() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "health: {max-idle: 1s}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0", "--output", "out");
        try (d) {
            Thread.sleep(2500);
            var idle = d.http("/healthz", null);
            assertEquals(503, idle.getKey());
            assertTrue(idle.getValue().contains("no datagram for more than 1 s"), idle.getValue());
            d.send(List.of(vxlan(1, Frames.arp())));
            Thread.sleep(300);
            assertEquals(200, d.http("/healthz", null).getKey());
            assertEquals(0, d.terminate(5));
        }
    }

    @Test
    void metricsOffServesNoHttp() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out", "--metrics", "off");
        try (d) {
            assertTrue(d.log().contains("metrics off"), d.log());
            assertEquals(0, d.terminate(5));
        }
    }

    @Test
    void theAccountingIdentityHoldsExactlyAfterALoad() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out",
                "--rotate-size", "256KiB", "--keep-files", "3");
        try (d) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                burst.add(vxlan(1 + i % 5, Frames.sized(64 + (i * 37) % 1300, i)));
            }
            burst.add(new byte[3]);
            for (int round = 0; round < 40; round++) { // 20,040 datagrams from 40 sockets (flows)
                d.send(burst);
            }
            Thread.sleep(1500);
            d.collectGarbage(); // meters whose state Micrometer holds only weakly would now read 0
            Map<String, Double> m = samples(d.http("/metrics", null).getValue());
            double received = m.get("vxdump_datagrams_received_total");
            double accounted = 0;
            for (Map.Entry<String, Double> e : m.entrySet()) {
                String k = e.getKey();
                if (k.startsWith("vxdump_packets_written_total") || k.startsWith("vxdump_packets_filtered_total")
                        || k.startsWith("vxdump_datagrams_dropped_total") || k.equals("vxdump_packets_pending")) {
                    accounted += e.getValue();
                }
            }
            assertTrue(received > 1000, "the load arrived: " + received);
            assertTrue(m.get("vxdump_udp_in_errors_total") >= m.get("vxdump_udp_receive_buffer_errors_total"));
            assertEquals(received, accounted, "received = written + filtered + dropped + pending, under load");
            assertEquals(0.0, m.get("vxdump_packets_pending"), "a quiet moment");
            assertEquals(5.0, m.get("vxdump_sessions"));
            for (int vni = 1; vni <= 5; vni++) {
                String s = "{session=\"vni-" + vni + "\"}";
                double finished = m.get("vxdump_files_finished_total" + s);
                assertTrue(finished > 3, "the load rotated more files than retention keeps: " + finished);
                assertEquals(Math.max(0, finished - 3), m.get("vxdump_files_deleted_total{reason=\"session_limit\",session=\"vni-" + vni + "\"}"),
                        "--keep-files 3: every finished file beyond three was deleted (vni-" + vni + ")");
            }
            assertEquals(0, d.terminate(10));
        }
    }

    @Test
    void ownSocketDropsStayPutWhileAnotherSocketInTheNamespaceOverflows() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out");
        try (d; java.nio.channels.DatagramChannel other = java.nio.channels.DatagramChannel.open();
             java.nio.channels.DatagramChannel out = java.nio.channels.DatagramChannel.open()) {
            other.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            other.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            d.send(List.of(vxlan(5, Frames.sized(200, 1))));
            Map<String, Double> before = samples(d.http("/metrics", null).getValue());
            java.nio.ByteBuffer payload = java.nio.ByteBuffer.allocate(1000);
            for (int i = 0; i < 3000; i++) {
                out.send(payload.rewind(), other.getLocalAddress()); // nobody reads it
            }
            Map<String, Double> after = samples(d.http("/metrics", null).getValue());
            assertEquals(0.0, before.get("vxdump_receive_socket_drops_total"));
            assertEquals(0.0, after.get("vxdump_receive_socket_drops_total"), "vxdump's own sockets dropped nothing");
            assertTrue(after.get("vxdump_udp_receive_buffer_errors_total")
                            - before.get("vxdump_udp_receive_buffer_errors_total") > 1000,
                    "the namespace-wide counter saw the other socket overflow");
            assertEquals(0, d.terminate(10));
        }
    }

    @Test
    void ownSocketDropsCountWhatTheKernelDroppedForVxdump() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "receive: {socket-buffer: 64KiB}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out", "--threads", "1");
        try (d) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                burst.add(vxlan(9, Frames.sized(1000, i)));
            }
            // A stopped process reads nothing: its 64 KiB buffer overflows, as under a load it cannot take.
            new ProcessBuilder("kill", "-STOP", String.valueOf(d.pid())).start().waitFor();
            try {
                d.send(burst);
            } finally {
                new ProcessBuilder("kill", "-CONT", String.valueOf(d.pid())).start().waitFor();
            }
            Thread.sleep(1500);
            Map<String, Double> m = samples(d.http("/metrics", null).getValue());
            double drops = m.get("vxdump_receive_socket_drops_total");
            assertTrue(drops > 1000, "the stopped receiver's socket overflowed: " + drops);
            assertEquals(2000.0, m.get("vxdump_datagrams_received_total") + drops,
                    "every datagram sent was either received or dropped by the kernel on vxdump's socket");
            assertEquals(0, d.terminate(10));
        }
    }
}
