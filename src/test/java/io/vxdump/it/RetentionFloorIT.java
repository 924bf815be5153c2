package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.Requirements;
import io.vxdump.testing.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A free-space floor on a real 8 MiB tmpfs: three times the disk's size goes through it, the oldest
 * files of every session make room, and no write ever fails.
 */
class RetentionFloorIT {
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
    void aFilingDiskWithAFloorNeverReachesWriteError() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "8m");
        Path out = tmpfs.path();
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, """
                retention: {min-free: 3MiB}
                rotation: {max-size: 256KiB}
                staging: {ring-size: 4MiB}
                writer: {block-size: 64KiB, buffer-memory: 4MiB}
                """);
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
        try (d) {
            assertTrue(d.log().contains("storage: keeps 3MiB free"), d.log());
            int sent = 0;
            for (int round = 0; round < 48; round++) { // 24,000 × 1 KB = 3 × the file system
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    burst.add(vxlan(1 + i % 4, Frames.sized(1000, sent + i)));
                }
                d.send(burst);
                sent += burst.size();
                Thread.sleep(40);
                assertEquals(200, d.http("/healthz", null).getKey(), "healthy throughout, round " + round);
            }
            Thread.sleep(1500);
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            double floorDeletes = m.get("vxdump_files_deleted_total{reason=\"min_free\",session=\"\"}");
            assertTrue(floorDeletes > 10, "the floor made room: " + floorDeletes);
            for (int vni = 1; vni <= 4; vni++) {
                String s = "session=\"vni-" + vni + "\"";
                assertEquals(0.0, m.get("vxdump_datagrams_dropped_total{reason=\"write_error\"," + s + "}"), "no write error");
            }
            assertTrue(Files.getFileStore(out).getUsableSpace() >= 2 << 20, "the floor held (within a file of it)");
            assertEquals(0, d.terminate(10));
            Map<String, Long> t = d.totals();
            assertEquals(sent, t.get("received"));
            assertEquals(sent, t.get("written"), "every packet written: " + t);

            // What is left is whole: each session's newest files, every one readable by libpcap.
            for (int vni = 1; vni <= 4; vni++) {
                try (Stream<Path> files = Files.list(out.resolve("vni-" + vni))) {
                    List<Path> left = files.sorted().toList();
                    assertTrue(!left.isEmpty(), "vni-" + vni + " keeps its newest file");
                    for (Path f : left) {
                        assertTrue(f.toString().endsWith(".pcap"), "finished: " + f);
                        assertTrue(!Libpcap.read(f).isEmpty(), "readable: " + f);
                    }
                }
            }
        }
    }

    /**
     * The default floor (5 % of 8 MiB: 410 KiB) is smaller than the writers' blocks (512 KiB each):
     * the floor grows to what the writers need, so sessions that appear once the disk has filled
     * still write every packet.
     */
    @Test
    void newSessionsOnAFullDiskStillWriteEveryPacket() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "8m");
        Path out = tmpfs.path();
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--instance-id", "i1", "--rotate-size", "1MiB");
        try (d) {
            int sent = 0;
            for (int round = 0; round < 60; round++) { // 12 MiB through an 8 MiB disk on two sessions, ~2.5 MB/s
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    burst.add(vxlan(1 + i % 2, Frames.sized(1000, sent + i)));
                }
                d.send(burst);
                sent += burst.size();
                Thread.sleep(80);
            }
            Thread.sleep(1000);
            for (int round = 0; round < 10; round++) { // then four new sessions
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    burst.add(vxlan(10 + i % 4, Frames.sized(1000, sent + i)));
                }
                d.send(burst);
                sent += burst.size();
                Thread.sleep(100);
            }
            Thread.sleep(1500);
            assertEquals(200, d.http("/healthz", null).getKey());
            assertEquals(0, d.terminate(10));
            Map<String, Long> t = d.totals();
            assertEquals(sent, t.get("received"));
            assertEquals(0L, t.get("dropped_write_error"), "no write error: " + t + "\n" + d.log());
            assertEquals(sent, t.get("written"), "every packet written: " + t);
        }
    }

    /** A disk with less room than one write is unhealthy, without traffic, and healthy once room is back. */
    @Test
    void aDiskWithoutRoomForAWriteIsUnhealthyWithTheReason() throws Exception {
        tmpfs = Tmpfs.mount(dir.resolve("out"), "4m");
        Path out = tmpfs.path();
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--min-free", "0");
        try (d) {
            assertEquals(200, d.http("/healthz", null).getKey());
            Path filler = out.resolve("filler");
            Requirements.sh("sh", "-c", "cat /dev/zero > " + filler + " 2>/dev/null; true");
            Map.Entry<Integer, String> h = d.http("/healthz", null);
            assertEquals(503, h.getKey(), h.getValue());
            assertTrue(h.getValue().contains("bytes free, less than one write block (524288 bytes)"), h.getValue());
            Files.delete(filler);
            assertEquals(200, d.http("/healthz", null).getKey());
        }
    }
}
