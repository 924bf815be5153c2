package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vxdump tail} against a running daemon: a session's packets as written, byte for byte what
 * its file holds; a filter run in the daemon equal to tcpdump's on the file; the stream into
 * {@code tcpdump -r -}; the socket's mode; a bad filter; the end of the stream at a stop.
 */
class LiveTailIT {
    @TempDir
    Path dir;

    private Process tail(Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "VXDUMP_JAR=" + DaemonProcess.jar().toAbsolutePath(), DaemonProcess.launcher().toString(), "tail",
                "--socket", out.resolve("live.socket").toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("tail-" + System.nanoTime()
                + ".log").toFile()).start();
    }

    /** Waits until the daemon has a watcher (its log says so) for each of {@code n} tails. */
    private static void watchers(DaemonProcess d, int n) throws Exception {
        SignalsIT.waitFor(() -> d.log().split("a watcher of", -1).length - 1 >= n, n + " watcher(s) connected");
    }

    @Test
    void aSessionLiveIsWhatItsFileHolds() throws Exception {
        Path out = dir.resolve("out");
        // No rotation by the clock: a boundary during the test would split vni-5's file (ExtcapIT's flake).
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1",
                "--rotate-interval", "0");
        Path all = dir.resolve("all.pcap");
        Path big = dir.resolve("big.pcap");
        Process plain;
        Process filtered;
        Process ended;
        try (d) {
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("live.socket"))));
            // The daemon's group: the group of the process, which also owns the output directory (0750).
            assertEquals(Files.getAttribute(out, "unix:gid"), Files.getAttribute(out.resolve("live.socket"), "unix:gid"));
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
            plain = tail(out, "--session", "vni-5", "-w", all.toString(), "-c", "60");
            filtered = tail(out, "--session", "vni-5", "greater", "150", "-w", big.toString());
            ended = tail(out, "-w", dir.resolve("everything.pcap").toString()); // all sessions, until the daemon stops
            watchers(d, 3);
            var bad = DaemonProcess.run(dir, "tail", "--socket", out.resolve("live.socket").toString(), "tcp", "portt", "1", "-w",
                    dir.resolve("x").toString());
            assertEquals(2, bad.getKey(), bad.getValue());
            assertEquals("vxdump: filter 'tcp portt 1': can't parse filter expression: syntax error", bad.getValue().strip());
            for (int i = 0; i < 60; i++) {
                d.send(List.of(vxlan(5, Frames.sized(100 + i * 2, i)), vxlan(6, Frames.sized(333, i))));
                Thread.sleep(2);
            }
            assertTrue(plain.waitFor(20, TimeUnit.SECONDS), "tail -c 60 ends after 60 packets");
            assertEquals(0, plain.exitValue());
            SignalsIT.signal(d, "USR1");
            SignalsIT.waitFor(() -> SignalsIT.filesEnding(out.resolve("vni-5"), ".pcap").size() == 1, "vni-5's file is finished");
            assertEquals(0, d.terminate(20));
        }
        assertTrue(filtered.waitFor(20, TimeUnit.SECONDS) && ended.waitFor(20, TimeUnit.SECONDS), "a stop ends every stream");
        assertEquals(0, filtered.exitValue());
        assertEquals(0, ended.exitValue());
        Path file = SignalsIT.filesEnding(out.resolve("vni-5"), ".pcap").get(0);
        List<PcapRecord> written = Libpcap.read(file);
        assertEquals(60, written.size());
        assertEquals(written, Libpcap.read(all), "the live stream of vni-5 is its file's records, byte for byte");
        assertEquals(120, Libpcap.read(dir.resolve("everything.pcap")).size(), "both sessions, until the stop");

        Requirements.requireProgram("tcpdump", "tcpdump");
        Path oracle = dir.resolve("oracle.pcap");
        assertEquals(0, new ProcessBuilder("tcpdump", "-r", file.toString(), "-w", oracle.toString(), "greater", "150")
                .redirectErrorStream(true).start().waitFor());
        List<PcapRecord> want = Libpcap.read(oracle);
        assertTrue(!want.isEmpty() && want.size() < 60, "the filter selects a part: " + want.size());
        assertEquals(want, Libpcap.read(big), "the daemon's filter is tcpdump's");
    }

    @Test
    void aSessionAReloadRemovesEndsItsStreamAndANewOneCanBeWatched() throws Exception {
        Path out = dir.resolve("out");
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "unknown-vni: drop\nsessions:\n  - {vni: 10, name: a}\n  - {vni: 11, name: b}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0", "--output",
                out.toString(), "--threads", "1");
        try (d) {
            Process a = tail(out, "--session", "a", "-w", dir.resolve("a.pcap").toString());
            Process b = tail(out, "--session", "b", "-w", dir.resolve("b.pcap").toString());
            Process later = tail(out, "--session", "c", "-w", dir.resolve("c.pcap").toString()); // c comes with the reload
            watchers(d, 3);
            d.send(List.of(vxlan(10, Frames.sized(100, 1)), vxlan(11, Frames.sized(100, 2))));
            Files.writeString(config, "unknown-vni: drop\nsessions:\n  - {vni: 11, name: b}\n  - {vni: 12, name: c}\n");
            SignalsIT.signal(d, "HUP");
            SignalsIT.waitFor(() -> d.log().contains("configuration reloaded from " + config), "reloaded");
            assertTrue(a.waitFor(10, TimeUnit.SECONDS), "the removed session's stream ends");
            assertEquals(0, a.exitValue());
            assertEquals(1, Libpcap.read(dir.resolve("a.pcap")).size(), "a valid pcap with what a had");
            assertTrue(b.isAlive() && later.isAlive(), "the others go on");
            var listed = DaemonProcess.run(dir, "extcap", "--socket", out.resolve("live.socket").toString(), "--extcap-interfaces");
            assertTrue(listed.getValue().contains("{value=vxdump-c}") && !listed.getValue().contains("{value=vxdump-a}"),
                    listed.getValue());
            d.send(List.of(vxlan(12, Frames.sized(100, 3)), vxlan(11, Frames.sized(100, 4))));
            Thread.sleep(700);
            assertEquals(0, d.terminate(20));
            assertTrue(b.waitFor(10, TimeUnit.SECONDS) && later.waitFor(10, TimeUnit.SECONDS));
            assertEquals(2, Libpcap.read(dir.resolve("b.pcap")).size());
            assertEquals(1, Libpcap.read(dir.resolve("c.pcap")).size(), "a session the reload added streams to its watcher");
        }
    }

    @Test
    void onATerminalEachPacketIsALineNamingItsSession() throws Exception {
        Requirements.requireProgram("script", "bsdutils");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1");
        try (d) {
            // script(1) gives tail a terminal for its stdout, as a person at a shell would.
            String command = "env VXDUMP_JAR=" + DaemonProcess.jar().toAbsolutePath() + " " + DaemonProcess.launcher()
                    + " tail --socket " + out.resolve("live.socket") + " -c 2";
            Process p = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start();
            watchers(d, 1);
            byte[] tcp = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.0.1", "10.0.0.2", Frames.tcp(40000, 443, new byte[20])));
            byte[] udp = Frames.ethernet(0x0800, Frames.ipv4(17, "10.0.0.3", "10.0.0.4", Frames.udp(5353, 53, new byte[30])));
            d.send(List.of(vxlan(21, tcp), vxlan(22, udp)));
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            String lines = new String(p.getInputStream().readAllBytes()).replace("\r", "");
            assertEquals(0, p.exitValue(), lines);
            List<String> got = lines.lines().filter(l -> !l.isBlank()).toList();
            assertEquals(2, got.size(), lines);
            assertTrue(got.get(0).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z vni-21 .*10\\.0\\.0\\.1\\.40000 > 10\\.0\\.0\\.2\\.443.*"), got.get(0));
            assertTrue(got.get(1).matches(".*Z vni-22 .*10\\.0\\.0\\.3\\.5353 > 10\\.0\\.0\\.4\\.53.*"), got.get(1));
            assertEquals(0, d.terminate(20));
        }
    }

    @Test
    void theStreamPipesIntoTcpdump() throws Exception {
        Requirements.requireProgram("tcpdump", "tcpdump");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1");
        try (d) {
            String command = "env VXDUMP_JAR=" + DaemonProcess.jar().toAbsolutePath() + " " + DaemonProcess.launcher()
                    + " tail --socket " + out.resolve("live.socket") + " -c 25 -w - 2>/dev/null | tcpdump -r - -n 2>/dev/null | wc -l";
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true).start();
            watchers(d, 1);
            for (int i = 0; i < 25; i++) {
                d.send(List.of(vxlan(9, Frames.sized(120, i))));
            }
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            assertEquals("25", new String(p.getInputStream().readAllBytes()).strip());
            assertEquals(0, p.exitValue());
            assertEquals(0, d.terminate(20));
        }
    }

    @Test
    void aWatcherThatStopsReadingLosesRecordsCountedAndTheFilesLoseNone() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1",
                "--metrics", "127.0.0.1:0");
        Path got = dir.resolve("stopped.pcap");
        // The case: 500,000 packets in ~10 s while the watcher is stopped (~125 MB, far past
        // its 8 MiB buffer and the socket's).
        int sent = 500_000;
        Process watcher;
        try (d) {
            watcher = tail(out, "--session", "vni-7", "-w", got.toString());
            watchers(d, 1);
            assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(watcher.pid())).start().waitFor());
            List<byte[]> burst = new ArrayList<>();
            for (int i = 0; i < sent; i++) {
                burst.add(vxlan(7, Frames.sized(200, i)));
                if (burst.size() == 500) {
                    d.send(burst);
                    burst.clear();
                    Thread.sleep(9);
                }
            }
            SignalsIT.waitFor(() -> MetricsIT.samples(d.http("/metrics", null).getValue())
                    .getOrDefault("vxdump_packets_written_total{session=\"vni-7\"}", 0.0) == sent, "every packet written");
            var m = MetricsIT.samples(d.http("/metrics", null).getValue());
            double lost = m.getOrDefault("vxdump_live_dropped_total{session=\"vni-7\"}", 0.0);
            assertTrue(lost > 0, "the stopped watcher lost records, counted: " + lost);
            assertEquals(0, new ProcessBuilder("kill", "-CONT", String.valueOf(watcher.pid())).start().waitFor());
            Thread.sleep(1500); // the watcher reads what its buffer held
            assertEquals(0, d.terminate(30));
            assertTrue(watcher.waitFor(20, TimeUnit.SECONDS), "the stop ends the stream");
            assertEquals(0, watcher.exitValue());
            assertEquals(sent, d.totals().get("written"), "the files lost nothing");
            List<PcapRecord> streamed = Libpcap.read(got); // a valid pcap, whatever was lost
            assertEquals(sent, streamed.size() + (long) lost, "every record reached the watcher or was counted as lost to it");
        }
    }

    @Test
    void watchersThatLeftFreeTheirPlaceWithoutTraffic() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1");
        try (d) {
            // Six watchers in a row, each gone after two seconds of an idle session: more than the 4 at once.
            for (int i = 0; i < 6; i++) {
                var gone = DaemonProcess.run(dir, List.of("timeout", "2"), "tail", "--socket", out.resolve("live.socket").toString(),
                        "--session", "quiet", "-w", dir.resolve("quiet.pcap").toString());
                assertEquals(124, gone.getKey(), "ended by timeout, not refused: " + gone.getValue());
                Thread.sleep(400);
            }
            Process last = tail(out, "-c", "1", "-w", dir.resolve("last.pcap").toString());
            watchers(d, 7);
            d.send(List.of(vxlan(3, Frames.sized(100, 1))));
            assertTrue(last.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, last.exitValue());
            assertEquals(1, Libpcap.read(dir.resolve("last.pcap")).size());
            assertEquals(0, d.terminate(20));
        }
    }
}
