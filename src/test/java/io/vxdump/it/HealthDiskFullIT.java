package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /healthz with a real full file system: 503 while full, 200 again once space is freed, never an exit. */
class HealthDiskFullIT {
    @TempDir
    Path dir;
    private Tmpfs tmpfs;

    @AfterEach
    void unmount() {
        if (tmpfs != null) {
            tmpfs.close();
        }
    }

    @Test
    void aFullOutputMakesTheTargetUnhealthyUntilSpaceIsFreed() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "2m");
        Path mount = tmpfs.path();
        Path filler = mount.resolve("filler");
        Files.write(filler, new byte[1 << 20]);
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "writer: {block-size: 128KiB, buffer-memory: 4MiB}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", mount.toString(), "--threads", "1");
        try (d) {
            assertEquals(200, d.http("/healthz", null).getKey());
            int sent = 0;
            Map.Entry<Integer, String> health = null;
            for (int round = 0; round < 100; round++) {
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    burst.add(vxlan(3, Frames.sized(1400, sent + i)));
                }
                d.send(burst);
                sent += burst.size();
                Thread.sleep(50);
                health = d.http("/healthz", null);
                // Unhealthy as soon as less than a write block is free, before a write fails; then the write fails.
                if (health.getKey() == 503 && health.getValue().contains("output not writable")) {
                    break;
                }
            }
            assertEquals(503, health.getKey(), "the disk filled up");
            assertTrue(health.getValue().contains("less than one write block (131072 bytes)"), health.getValue());
            assertTrue(health.getValue().contains("output not writable"), health.getValue());
            assertTrue(health.getValue().contains("No space left on device"), health.getValue());

            Files.delete(filler);
            // No traffic from here on: behind an NLB an unhealthy target gets none, so health must
            // recover by itself.
            long freed = System.nanoTime();
            while (System.nanoTime() - freed < 10_000_000_000L) {
                Thread.sleep(100);
                health = d.http("/healthz", null);
                if (health.getKey() == 200) {
                    break;
                }
            }
            assertEquals(200, health.getKey(), "healthy again without traffic once space is back: " + health.getValue());
            assertTrue(System.nanoTime() - freed < 5_000_000_000L, "within a few seconds");
            assertTrue(d.log().contains("writing works again"), "the end of the episode is logged");
            List<byte[]> after = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                after.add(vxlan(3, Frames.sized(200, sent++)));
            }
            d.send(after);
            Thread.sleep(1200);
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertTrue(m.get("vxdump_datagrams_dropped_total{reason=\"write_error\",session=\"vni-3\"}") > 0);
            assertEquals(m.get("vxdump_datagrams_received_total"),
                    m.get("vxdump_packets_written_total{session=\"vni-3\"}")
                            + m.get("vxdump_datagrams_dropped_total{reason=\"write_error\",session=\"vni-3\"}")
                            + m.get("vxdump_datagrams_dropped_total{reason=\"writer_backlog\",session=\"vni-3\"}")
                            + m.get("vxdump_packets_pending"),
                    "the identity holds with a full disk");
            assertEquals(0, d.terminate(10), "the daemon never exited because of the disk");
            Map<String, Long> t = d.totals();
            assertEquals(sent, t.get("received"));
            assertTrue(t.get("dropped_write_error") > 0);
            assertEquals(sent, t.get("written") + t.get("dropped_write_error") + t.get("dropped_writer_backlog"));
        }
    }
}
