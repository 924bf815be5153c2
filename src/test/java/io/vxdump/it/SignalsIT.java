package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.OutputFiles;
import io.vxdump.testing.PcapRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signals to a running daemon: SIGUSR1 finishes every open file and capture goes on. */
class SignalsIT {
    @TempDir
    Path dir;

    static List<Path> filesEnding(Path root, String suffix) throws IOException {
        return OutputFiles.ending(root, suffix);
    }

    static void signal(DaemonProcess d, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(d.pid())).start().waitFor());
    }

    @Test
    void sigusr1FinishesEveryOpenFileAndCaptureGoesOn() throws Exception {
        Path out = dir.resolve("out");
        // No interval rotation: only the signal finishes files (a 5-minute boundary mid-test would too).
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--instance-id", "i1", "--rotate-interval", "0");
        try (d) {
            List<byte[]> first = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                first.add(vxlan(1 + i % 3, Frames.sized(100 + i, i)));
            }
            d.send(first);
            waitFor(() -> filesEnding(out, ".part").size() == 3, "three sessions write");
            assertEquals(List.of(), filesEnding(out, ".pcap"), "nothing finished before the signal");

            signal(d, "USR1");
            waitFor(() -> filesEnding(out, ".part").isEmpty() && filesEnding(out, ".pcap").size() == 3,
                    "every open file finished");
            for (int vni = 1; vni <= 3; vni++) {
                List<Path> f = filesEnding(out.resolve("vni-" + vni), ".pcap");
                List<PcapRecord> records = Libpcap.read(f.get(0));
                assertEquals(10, records.size(), "all of vni-" + vni + "'s packets in its finished file");
                assertArrayEquals(Frames.sized(100 + vni - 1, vni - 1), records.get(0).data());
            }

            d.send(List.of(vxlan(1, Frames.sized(500, 99))));
            waitFor(() -> filesEnding(out.resolve("vni-1"), ".part").size() == 1, "the next packet opens a new file");
            assertEquals(0, d.terminate(10));
            assertEquals(2, filesEnding(out.resolve("vni-1"), ".pcap").size());
            assertTrue(d.log().contains("finished 3 open file(s) on request"), d.log());
            assertEquals(31L, d.totals().get("written"));
        }
    }

    /** A UDP frame whose payload starts with {@code seq}: the order the sender sent it in. */
    private static byte[] numbered(int seq) {
        byte[] payload = java.nio.ByteBuffer.allocate(64).putInt(seq).array();
        return Frames.ethernet(0x0800, Frames.ipv4(17, "10.0.0.1", "10.0.0.2", Frames.udp(40000, 53, payload)));
    }

    private static int seqOf(PcapRecord r) {
        return java.nio.ByteBuffer.wrap(r.data(), 14 + 20 + 8, 4).getInt();
    }

    private static List<Integer> written(Path session) throws IOException {
        List<Integer> seqs = new ArrayList<>();
        for (Path f : filesEnding(session, ".pcap")) {
            for (PcapRecord r : Libpcap.read(f)) {
                seqs.add(seqOf(r));
            }
        }
        return seqs;
    }

    @Test
    void sighupSwapsSessionsFiltersAndSourcesUnderTrafficWithoutMixingOrLosingAPacket() throws Exception {
        Path out = dir.resolve("out");
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, """
                unknown-vni: drop
                sessions:
                  - {vni: 1, name: web}
                  - {vni: 2, name: db}
                """);
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
        try (d) {
            double loadedAt = MetricsIT.samples(d.http("/metrics", null).getValue())
                    .get("vxdump_config_reload_success_timestamp_seconds");
            // One socket, one flow, one receive thread: the daemon sees the datagrams in the order sent,
            // so "old configuration, then new" must show as one cut in that order.
            java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
            Thread sender = new Thread(() -> {
                try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
                    while (sending.get()) {
                        int seq = sent.get();
                        byte[] datagram = vxlan(1 + seq % 3, numbered(seq));
                        socket.send(new java.net.DatagramPacket(datagram, datagram.length, d.address()));
                        sent.incrementAndGet();
                        if (seq % 4 == 3) {
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // ~4k datagrams/s
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            sender.start();
            Thread.sleep(1000);
            Files.writeString(config, """
                    unknown-vni: drop
                    allow-sources: [127.0.0.0/8]
                    sessions:
                      - vni: 1
                        name: web
                        filter: {default-action: accept, rules: [{number: 100, direction: any, action: reject, protocol: udp}]}
                      - {vni: 3, name: dns}
                    """);
            signal(d, "HUP");
            Thread.sleep(1000);
            sending.set(false);
            sender.join();
            waitFor(() -> d.log().contains("configuration reloaded from " + config), "reloaded");
            waitFor(() -> filesEnding(out.resolve("db"), ".part").isEmpty(), "the removed session's file is finished");

            Thread.sleep(700); // everything staged is written
            var m = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertEquals(1.0, m.get("vxdump_config_reload_success"));
            assertTrue(m.get("vxdump_config_reload_success_timestamp_seconds") >= loadedAt);
            assertEquals(sent.get(), m.get("vxdump_datagrams_received_total"), "every datagram arrived");
            double accounted = m.get("vxdump_datagrams_dropped_total{reason=\"unknown_vni\",session=\"\"}");
            for (String k : m.keySet()) {
                if (k.startsWith("vxdump_packets_written_total") || k.startsWith("vxdump_packets_filtered_total")) {
                    accounted += m.get(k);
                }
            }
            assertEquals(sent.get(), accounted, "received = written + filtered + dropped across the reload");

            // Bad configuration: refused in one line naming file, line and key; the running one stays.
            Files.writeString(config, "unknown-vni: drop\nsessions:\n  - {vni: 1, name: web, colour: blue}\n");
            signal(d, "HUP");
            waitFor(() -> d.log().contains("reload refused"), "refused");
            String refused = d.log().lines().filter(l -> l.contains("reload refused")).findFirst().orElseThrow();
            assertTrue(refused.contains(config + ":3: sessions[0].colour: unknown key"), refused);
            assertEquals(0.0, MetricsIT.samples(d.http("/metrics", null).getValue()).get("vxdump_config_reload_success"));
            d.send(List.of(vxlan(3, numbered(1_000_000))));

            // A restart-only key is named, the rest applies.
            Files.writeString(config, "unknown-vni: drop\nmax-sessions: 5\nallow-sources: [10.0.0.0/8]\n"
                    + "sessions:\n  - {vni: 3, name: dns}\n");
            signal(d, "HUP");
            waitFor(() -> d.log().contains("max-sessions changed but takes a restart"), "restart-only key named");
            waitFor(() -> MetricsIT.samples(d.http("/metrics", null).getValue()).get("vxdump_config_reload_success") == 1.0,
                    "the good file loads");
            d.send(List.of(vxlan(3, numbered(2_000_000)))); // from 127.0.0.1: no longer allowed
            waitFor(() -> MetricsIT.samples(d.http("/metrics", null).getValue())
                    .get("vxdump_datagrams_dropped_total{reason=\"source_not_allowed\",session=\"\"}") == 1.0,
                    "the new allow-sources apply");
            assertEquals(0, d.terminate(10));
        }

        List<Integer> web = written(out.resolve("web"));
        List<Integer> db = written(out.resolve("db"));
        List<Integer> dns = written(out.resolve("dns"));
        assertTrue(!web.isEmpty() && !db.isEmpty() && dns.size() > 1, web.size() + " " + db.size() + " " + dns.size());
        assertEquals(1_000_000, dns.get(dns.size() - 1), "the refused reload left the running configuration in force");
        dns = dns.subList(0, dns.size() - 1);
        // Old: web and db kept, dns (VNI 3) unknown. New: web's UDP rejected, db unknown, dns kept.
        // Some cut C must explain every packet: those before it by the old configuration, the rest by the new.
        java.util.Set<Integer> kept = new java.util.HashSet<>(web);
        kept.addAll(db);
        kept.addAll(dns);
        int lastOld = Math.max(java.util.Collections.max(web), java.util.Collections.max(db));
        int firstNew = dns.get(0);
        assertTrue(lastOld < firstNew, "nothing kept by the old configuration after the new one began");
        int cut = -1;
        for (int c = lastOld + 1; c <= firstNew && cut < 0; c++) {
            boolean explains = true;
            for (int seq = 0; seq <= dns.get(dns.size() - 1) && explains; seq++) {
                boolean expected = seq < c ? seq % 3 != 2 : seq % 3 == 2;
                explains = expected == kept.contains(seq);
            }
            if (explains) {
                cut = c;
            }
        }
        assertTrue(cut >= 0, "one cut explains every packet sent (last old " + lastOld
                + ", first new " + firstNew + ")");
    }

    /**
     * Signals a person might send by mistake, whose default action ends a process: under load the
     * daemon logs and ignores each (USR2 because the launcher moved HotSpot's suspend signal off it),
     * keeps running, and loses nothing.
     */
    @Test
    void strayTerminatingSignalsAreIgnoredUnderLoad() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1");
        try (d) {
            List<byte[]> datagrams = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                datagrams.add(vxlan(5, Frames.sized(120, i)));
            }
            Thread sender = new Thread(() -> {
                try {
                    d.sendFromPorts(datagrams, 4, 100);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            sender.start();
            for (String sig : List.of("USR2", "ALRM", "VTALRM", "PROF", "IO", "PWR", "XCPU", "USR2", "ALRM")) {
                signal(d, sig);
                Thread.sleep(50);
            }
            sender.join();
            Thread.sleep(1000);
            for (String sig : List.of("USR2", "ALRM", "VTALRM", "PROF", "IO", "PWR", "XCPU")) {
                assertTrue(d.log().contains("received SIG" + sig + ": ignored"), sig + " logged:\n" + d.log());
            }
            assertEquals(0, d.terminate(20), "still running, and stops cleanly: " + d.log());
            assertEquals(20_000L, d.totals().get("written"), d.log());
        }
        int records = 0;
        for (Path f : filesEnding(out, ".pcap")) {
            records += Libpcap.read(f).size();
        }
        assertEquals(20_000, records, "every packet in the files");
    }

    static void waitFor(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.call() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(condition.call(), what);
    }
}
