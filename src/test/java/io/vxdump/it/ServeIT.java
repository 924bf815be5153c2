package io.vxdump.it;

import static io.vxdump.testing.Frames.ethernet;
import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.ipv6;
import static io.vxdump.testing.Frames.tcp;
import static io.vxdump.testing.Frames.udp;
import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Tshark;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vxdump serve as a process on loopback: datagrams in, finished files and counts out. */
class ServeIT {
    @TempDir
    Path dir;

    private static List<Path> files(Path sessionDir) throws IOException {
        if (!Files.isDirectory(sessionDir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(sessionDir)) {
            return s.sorted().toList();
        }
    }

    private static List<PcapRecord> records(Path sessionDir) throws IOException {
        List<PcapRecord> all = new ArrayList<>();
        for (Path f : files(sessionDir)) {
            assertTrue(f.toString().endsWith(".pcap"), "finished files only: " + f);
            all.addAll(Libpcap.read(f));
            Tshark.frames(f); // tshark reads it without complaint
        }
        return all;
    }

    private static long nowNanos() {
        Instant t = Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    @Test
    void everyFrameSentIsInItsSessionsFilesAndTheCountsAddUp() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, """
                sessions:
                  - {vni: 100, name: web-proxy}
                  - {vni: 5569041, name: backend, snaplen: 256}
                """);
        Path postLog = dir.resolve("post-rotate.log");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out", "--rotate-packets", "4", "--precision", "nano", "--instance-id", "sensor-a",
                "--post-rotate", "printf '%s\\n' >> '" + postLog + "'");
        try (d) {
            List<byte[]> web = new ArrayList<>();
            web.add(ethernet(0x0800, ipv4(6, "10.0.1.10", "10.0.2.20", tcp(40000, 443, new byte[100]))));
            web.add(ethernet(0x86DD, ipv6(17, "2001:db8::10", "2001:db8::20", udp(5353, 53, new byte[60]))));
            web.add(ethernet(0x0800, ipv4(17, "10.0.1.10", "10.0.2.20", udp(123, 123, new byte[48])), 0x8100));
            web.add(ethernet(0x0800, ipv4(6, "10.0.1.10", "10.0.2.20", tcp(1, 22, new byte[10])), 0x88A8, 0x8100));
            web.add(Frames.arp());
            byte[] bigFrame = Frames.sized(1400, 9);
            List<byte[]> backendFull = List.of(Frames.sized(1000, 1), bigFrame, Frames.sized(200, 2));
            byte[] truncated = Frames.cut(ethernet(0x0800, ipv4(6, "10.9.9.9", "10.8.8.8", tcp(1, 2, new byte[3000]))), 128);
            List<byte[]> unknown = List.of(Frames.sized(300, 3), Frames.sized(64, 4));

            List<byte[]> datagrams = new ArrayList<>();
            web.forEach(f -> datagrams.add(vxlan(100, f)));
            backendFull.forEach(f -> datagrams.add(vxlan(5569041, f)));
            datagrams.add(vxlan(5569041, truncated));
            unknown.forEach(f -> datagrams.add(vxlan(7, f)));
            datagrams.add(new byte[21]);                                 // too short
            byte[] noI = vxlan(100, Frames.arp());
            noI[0] = 0;
            datagrams.add(noI);                                          // no I flag
            long before = nowNanos();
            d.send(datagrams);
            Thread.sleep(300);
            assertEquals(0, d.terminate(5), "SIGTERM: finished and exit 0 within a few seconds");
            long after = nowNanos();

            Path out = dir.resolve("out");
            List<PcapRecord> webRecords = records(out.resolve("web-proxy"));
            assertEquals(web.size(), webRecords.size());
            for (int i = 0; i < web.size(); i++) {
                PcapRecord r = webRecords.get(i);
                assertArrayEquals(web.get(i), r.data(), "web frame " + i);
                assertEquals(web.get(i).length, r.origlen());
                assertTrue(r.timestampNanos() >= before - 1_000_000 && r.timestampNanos() <= after + 1_000_000,
                        "timestamp " + r.timestampNanos() + " between the send and the stop " + before + ".." + after);
                assertTrue(i == 0 || r.timestampNanos() >= webRecords.get(i - 1).timestampNanos(), "in order");
            }
            assertEquals(2, files(out.resolve("web-proxy")).size(), "rotated after 4 packets");
            for (Path f : files(out.resolve("web-proxy"))) {
                assertTrue(f.getFileName().toString().matches("web-proxy-sensor-a-\\d{8}T\\d{6}Z-00000[12]\\.pcap"),
                        "named <session>-<instance>-<UTC time>-<seq>.pcap: " + f);
            }

            List<PcapRecord> backend = records(out.resolve("backend"));
            assertEquals(4, backend.size());
            assertEquals(256, backend.get(0).caplen(), "session snaplen");
            assertEquals(1000, backend.get(0).origlen());
            assertArrayEquals(Frames.cut(bigFrame, 256), backend.get(1).data());
            assertEquals(200, backend.get(2).caplen());
            assertEquals(128, backend.get(3).caplen());
            assertEquals(14 + 20 + 20 + 3000, backend.get(3).origlen(), "origlen from the IP header");

            List<PcapRecord> vni7 = records(out.resolve("vni-7"));
            assertEquals(2, vni7.size());
            assertArrayEquals(unknown.get(1), vni7.get(1).data());

            Map<String, Long> t = d.totals();
            assertEquals(datagrams.size(), t.get("received"));
            assertEquals(web.size() + 4 + 2, t.get("written"));
            assertEquals(2, t.get("dropped_decap_error"));
            assertEquals(0, t.get("pending"));
            assertEquals(t.get("received"), t.get("written") + t.get("filtered") + t.get("pending")
                    + t.entrySet().stream().filter(e -> e.getKey().startsWith("dropped_")).mapToLong(Map.Entry::getValue).sum());

            List<String> postRotated = Files.readAllLines(postLog);
            List<String> finished = new ArrayList<>();
            for (String s : List.of("web-proxy", "backend", "vni-7")) {
                files(out.resolve(s)).forEach(f -> finished.add(f.toAbsolutePath().toString()));
            }
            assertEquals(finished.stream().sorted().toList(), postRotated.stream().sorted().toList(),
                    "post-rotate ran once on each finished file, those of the shutdown included");
        }
    }

    @Test
    void unknownVnisAreDroppedAndCountedWhenConfiguredTo() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out", "--unknown-vni", "drop");
        try (d) {
            d.send(List.of(vxlan(1, Frames.arp()), vxlan(2, Frames.arp())));
            Thread.sleep(300);
            assertEquals(0, d.terminate(15));
            assertEquals(2, d.totals().get("dropped_unknown_vni"));
            assertEquals(0, d.totals().get("written"));
            assertFalse(Files.exists(dir.resolve("out/vni-1")));
        }
    }

    @Test
    void sessionsBeyondMaxSessionsAreDroppedAndCounted() throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, "max-sessions: 2\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0", "--output", "out");
        try (d) {
            d.send(List.of(vxlan(1, Frames.arp()), vxlan(2, Frames.arp()), vxlan(3, Frames.arp()),
                    vxlan(1, Frames.arp()), vxlan(4, Frames.arp())));
            Thread.sleep(300);
            assertEquals(0, d.terminate(15));
            assertEquals(2, d.totals().get("dropped_session_limit"));
            assertEquals(3, d.totals().get("written"));
        }
    }

    /** Where the records of a (.part) file end: at its end, or at the zero padding of a direct-I/O block. */
    private static long wholeRecordsEnd(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        long end = Math.min(24, b.limit());
        while (end + 16 <= b.limit()) {
            int caplen = b.getInt((int) end + 8);
            if (caplen == 0 || end + 16 + caplen > b.limit()) {
                break;
            }
            end += 16 + caplen;
        }
        return end;
    }

    @Test
    void aQuietSessionsPacketsAreOnDiskWithinASecondAndACrashsLeftoverIsFinishedOnRestart() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out");
        Path session = dir.resolve("out/vni-42");
        List<byte[]> frames = List.of(Frames.sized(100, 1), Frames.sized(700, 2), Frames.sized(1500, 3));
        Path part;
        try (d) {
            d.send(frames.stream().map(f -> vxlan(42, f)).toList());
            long expected = 24 + frames.stream().mapToLong(f -> 16 + f.length).sum();
            long deadline = System.nanoTime() + 1_000_000_000L;
            part = null;
            while (System.nanoTime() < deadline) {
                List<Path> now = files(session);
                // With direct I/O the open file is padded with zeros to the block; the records come first.
                if (now.size() == 1 && wholeRecordsEnd(now.get(0)) == expected) {
                    part = now.get(0);
                    break;
                }
                Thread.sleep(20);
            }
            assertTrue(part != null && part.toString().endsWith(".pcap.part"),
                    "all three packets in the open file within a second: " + files(session));
            d.kill();
        }
        // The crash left a .part; add half a record as if it died mid-write.
        byte[] half = ByteBuffer.allocate(16 + 10).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).putInt(500)
                .putInt(500).array();
        Files.write(part, half, StandardOpenOption.APPEND);

        DaemonProcess again = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out");
        try (again) {
            Path finished = Path.of(part.toString().replace(".part", ""));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!Files.exists(finished) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(Files.exists(part));
            List<PcapRecord> records = Libpcap.read(finished);
            assertEquals(3, records.size());
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(frames.get(i), records.get(i).data());
            }
            again.send(List.of(vxlan(42, Frames.sized(100, 5))));
            Thread.sleep(300);
            assertEquals(0, again.terminate(15));
            assertEquals(2, files(session).size());
            assertTrue(files(session).get(1).toString().endsWith("-000002.pcap"), files(session).toString());
        }
    }

    @Test
    void aReceiveBufferPastRmemMaxIsForcedAndTheStartUpLineSaysSo() throws Exception {
        io.vxdump.testing.Requirements.require(io.vxdump.testing.Requirements.isRoot(), "SO_RCVBUFFORCE needs CAP_NET_ADMIN");
        // readAllLines, not readString: /proc files report size 0, and readString comes back short here.
        long rmemMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).get(0).strip());
        long ask = Math.min(rmemMax * 2, 1L << 30); // more than net.core.rmem_max lets a plain process have
        Path config = dir.resolve("buffer.yaml");
        Files.writeString(config, "receive: {socket-buffer: " + ask + "}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out", "--threads", "1");
        try (d) {
            String expected = "buffer " + io.vxdump.config.Units.formatSize(ask)
                    + " each (SO_RCVBUFFORCE past net.core.rmem_max)";
            assertTrue(d.log().contains(expected), "wanted '" + expected + "' in:\n" + d.log());
        }
    }

    @Test
    void stagingThatCannotFitInDirectMemoryIsOneLineAtStart() throws Exception {
        Map.Entry<Integer, String> r = DaemonProcess.run(dir, "serve", "--listen", "127.0.0.1:0", "--metrics", "off",
                "--output", "out", "--threads", "64", "--ring-size", "1GiB");
        assertEquals(2, r.getKey(), r.getValue());
        assertEquals(1, r.getValue().strip().lines().count(), r.getValue());
        assertTrue(r.getValue().matches("(?s)vxdump: staging.ring-size: staging rings \\(64 × 1 × 1GiB\\) and write blocks "
                + "\\(1 × 64MiB\\) need 65\\d{3}MiB of direct memory and the JVM allows \\d+MiB: raise -XX:MaxDirectMemorySize.*"),
                r.getValue());
    }

    @Test
    void aSecondDaemonOnTheSamePortIsRefusedInsteadOfSharingIt() throws Exception {
        DaemonProcess first = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "one");
        try (first) {
            var second = DaemonProcess.run(dir, "serve", "--listen", "127.0.0.1:" + first.address().getPort(),
                    "--output", "two");
            assertEquals(2, second.getKey());
            assertTrue(second.getValue().contains("vxdump: listen: 127.0.0.1:"
                    + first.address().getPort() + ": the port is in use"), second.getValue());
            assertFalse(second.getValue().contains("\tat "), "no stack trace");
            assertEquals(0, first.terminate(5));
        }
    }

    @Test
    void aTakenMetricsPortIsOneLine() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            var run = DaemonProcess.run(dir, "serve", "--listen", "127.0.0.1:0", "--output", "out",
                    "--metrics", "127.0.0.1:" + taken.getLocalPort());
            assertEquals(2, run.getKey());
            assertTrue(run.getValue().strip().endsWith("vxdump: metrics: 127.0.0.1:"
                    + taken.getLocalPort() + ": the port is in use"), run.getValue());
        }
    }

    @Test
    void anOutputThatCannotBeCreatedIsOneLine() throws Exception {
        var run = DaemonProcess.run(dir, "serve", "--listen", "127.0.0.1:0", "--output", "/proc/vxdump-test");
        assertEquals(2, run.getKey());
        assertTrue(run.getValue().strip().endsWith("vxdump: output: /proc/vxdump-test: cannot be created: no such file "
                + "or directory"), run.getValue());
    }

    @Test
    void versionNamesTheBuild() throws Exception {
        var run = DaemonProcess.run(dir, "version");
        assertEquals(0, run.getKey());
        assertTrue(run.getValue().matches("vxdump \\d+\\.\\d+\\.\\d+.*\\n"), run.getValue());
    }
}
