package io.vxdump.it;

import static io.vxdump.testing.Frames.ethernet;
import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.tcp;
import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Filters in the running daemon: from the file, from --rule, and allow-sources. */
class FilterIT {
    @TempDir
    Path dir;

    private static List<PcapRecord> records(Path sessionDir) throws Exception {
        List<PcapRecord> all = new ArrayList<>();
        if (!Files.isDirectory(sessionDir)) {
            return all;
        }
        try (Stream<Path> s = Files.list(sessionDir)) {
            for (Path f : s.sorted().toList()) {
                all.addAll(Libpcap.read(f));
            }
        }
        return all;
    }

    @Test
    void aSessionsFilterKeepsOnlyWhatItsRulesAccept() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, """
                sessions:
                  - vni: 301
                    name: app1-revproxy
                    monitored: [10.0.1.10/32]
                    filter:
                      rules:
                        - {number: 100, direction: inbound, action: reject, protocol: tcp, destination-port: https}
                        - {number: 200, direction: any, action: accept}
                """);
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out", "--rule", "100 any accept protocol=tcp destination-port=ssh");
        try (d) {
            byte[] https = ethernet(0x0800, ipv4(6, "203.0.113.5", "10.0.1.10", tcp(51000, 443, new byte[20])));
            byte[] http = ethernet(0x0800, ipv4(6, "203.0.113.5", "10.0.1.10", tcp(51000, 80, new byte[20])));
            byte[] reply = ethernet(0x0800, ipv4(6, "10.0.1.10", "203.0.113.5", tcp(443, 51000, new byte[20])));
            byte[] ssh = ethernet(0x0800, ipv4(6, "10.0.6.10", "10.0.9.9", tcp(40000, 22, new byte[20])));
            d.send(List.of(vxlan(301, https), vxlan(301, http), vxlan(301, https), vxlan(301, reply),
                    vxlan(77, ssh), vxlan(77, http)));
            Thread.sleep(300);
            assertEquals(0, d.terminate(5));

            List<PcapRecord> kept = records(dir.resolve("out/app1-revproxy"));
            assertEquals(2, kept.size());
            assertArrayEquals(http, kept.get(0).data());
            assertArrayEquals(reply, kept.get(1).data());
            List<PcapRecord> unknown = records(dir.resolve("out/vni-77"));
            assertEquals(1, unknown.size(), "--rule keeps ssh, the default rejects the rest");
            assertArrayEquals(ssh, unknown.get(0).data());
            Map<String, Long> t = d.totals();
            assertEquals(6, t.get("received"));
            assertEquals(3, t.get("written"));
            assertEquals(3, t.get("filtered"));
        }
    }

    @Test
    void sendersOutsideAllowSourcesAreDroppedAndCounted() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "allow-sources: [10.0.0.0/8]\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out");
        try (d) {
            d.send(List.of(vxlan(5, ethernet(0x0800, ipv4(1, "10.0.0.1", "10.0.0.2", new byte[8]))), new byte[4]));
            Thread.sleep(300);
            assertEquals(0, d.terminate(5));
            assertEquals(2, d.totals().get("dropped_source_not_allowed"), "127.0.0.1 is not in 10.0.0.0/8");
            assertFalse(Files.exists(dir.resolve("out/vni-5")));
        }
    }
}
