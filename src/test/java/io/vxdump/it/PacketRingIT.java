package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code receive.path: ring} on real AF_PACKET rings: IPv4 and IPv6 VXLAN listeners and a GENEVE
 * one, two receive threads in one fanout group. Each datagram is read exactly once (loopback shows
 * every packet twice, outgoing and incoming), written byte for byte in order, with the kernel's
 * receive time; the port stays held (no port-unreachable comes back), and the drop-all socket that
 * holds it does not make vxdump's socket drops count its every datagram. Without CAP_NET_RAW the
 * start fails with one line naming the setting. (The build's third integration-test run takes
 * every other integration test through rings too.)
 */
class PacketRingIT {
    private static final Pattern LISTENER = Pattern.compile("(\\S+):(\\d+) udp \\((vxlan|geneve)\\)");

    @TempDir
    Path dir;

    @Test
    void ringsReadEachDatagramOnceInOrderOverIpv4Ipv6VxlanAndGeneve() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "AF_PACKET rings need CAP_NET_RAW (root)");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--receive-path", "ring", "--listen", "127.0.0.1:0",
                "--listen", "[::1]:0", "--listen", "geneve:127.0.0.1:0", "--threads", "2", "--output", out.toString());
        int count = 400;
        List<byte[]> v4 = new ArrayList<>();
        List<byte[]> v6 = new ArrayList<>();
        List<byte[]> gen = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            v4.add(Frames.sized(64 + (i * 37) % 1400, i));
            v6.add(Frames.sized(64 + (i * 53) % 8900, i + 1));
            gen.add(Frames.sized(64 + (i * 11) % 1400, i + 2));
        }
        try (d) {
            assertTrue(d.log().contains("receive: epoll, AF_PACKET TPACKET_V3 ring"), d.log());
            List<InetSocketAddress> vxlan = new ArrayList<>();
            InetSocketAddress geneveAt = null;
            Matcher m = LISTENER.matcher(d.log().lines().filter(l -> l.contains("serving on")).findFirst().orElseThrow());
            while (m.find()) {
                InetSocketAddress a = new InetSocketAddress(m.group(1).replaceAll("^.*serving on ", "").replace("[", "")
                        .replace("]", ""), Integer.parseInt(m.group(2)));
                if (m.group(3).equals("geneve")) {
                    geneveAt = a;
                } else {
                    vxlan.add(a);
                }
            }
            assertEquals(2, vxlan.size(), d.log());
            long before = System.currentTimeMillis() * 1_000_000L;
            // Connected channels: a port-unreachable coming back would fail a later send.
            try (DatagramChannel a = DatagramChannel.open().connect(vxlan.get(0));
                 DatagramChannel b = DatagramChannel.open().connect(vxlan.get(1));
                 DatagramChannel c = DatagramChannel.open().connect(geneveAt)) {
                for (int i = 0; i < count; i++) {
                    a.write(ByteBuffer.wrap(Frames.vxlan(21, v4.get(i))));
                    b.write(ByteBuffer.wrap(Frames.vxlan(22, v6.get(i))));
                    c.write(ByteBuffer.wrap(Frames.geneve(0, 0x6558, 23, new byte[0], gen.get(i))));
                    if (i % 50 == 49) {
                        Thread.sleep(2);
                    }
                }
            }
            long after = System.currentTimeMillis() * 1_000_000L;
            SignalsIT.waitFor(() -> {
                Map<String, Double> now = MetricsIT.samples(d.http("/metrics", null).getValue());
                return now.getOrDefault("vxdump_datagrams_received_total", 0.0) >= 3 * count
                        && now.getOrDefault("vxdump_packets_pending", -1.0) == 0;
            }, "every datagram read and written");
            Thread.sleep(200); // a duplicate (the outgoing copy) would arrive by now
            Map<String, Double> s = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertEquals(3.0 * count, s.get("vxdump_datagrams_received_total"), "each datagram once: " + s);
            for (int vni = 21; vni <= 23; vni++) {
                assertEquals((double) count, s.get("vxdump_packets_written_total{session=\"vni-" + vni + "\"}"), "vni " + vni);
            }
            assertEquals(0.0, s.get("vxdump_receive_socket_drops_total"),
                    "the drop-all socket that holds the port is not counted; the rings dropped nothing");
            assertEquals(0, d.terminate(10));
            assertRecords(out, 21, v4, before, after);
            assertRecords(out, 22, v6, before, after);
            assertRecords(out, 23, gen, before, after);
        }
    }

    /**
     * The kernel hands a block over only when it is full or a timeout after its first packet: a
     * stop must still read the block being filled, as the socket path reads what its sockets
     * queued. The timeout is raised to 1 s so that the stop surely comes while the block is open
     * (at the default 8 ms the block was handed over before the stop got to the ring, and the test
     * passed with the stop's read removed).
     */
    @Test
    void aStopRightAfterADatagramStillWritesIt() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "AF_PACKET rings need CAP_NET_RAW (root)");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.startWithJvmOptions(dir, "-Dvxdump.ring.retire-millis=1000",
                "--receive-path", "ring", "--listen", "127.0.0.1:0", "--threads", "1", "--output", out.toString());
        List<byte[]> frames = new ArrayList<>();
        try (d; DatagramChannel c = DatagramChannel.open().connect(d.address())) {
            for (int i = 0; i < 20; i++) {
                frames.add(Frames.sized(100 + i, i));
                c.write(ByteBuffer.wrap(Frames.vxlan(31, frames.get(i))));
                Thread.sleep(i < 19 ? 20 : 0);
            }
            assertEquals(0, d.terminate(10)); // SIGTERM at once
        }
        assertRecords(out, 31, frames, 0, Long.MAX_VALUE / 2);
    }

    /**
     * A datagram longer than the link's MTU leaves the sender in IP fragments; the socket path gets
     * it reassembled by the kernel, and so must the ring (the fanout group's DEFRAG flag): written
     * whole, not cut to its first fragment. In a namespace whose loopback has Ethernet's MTU.
     */
    @Test
    void aFragmentedDatagramIsReadWhole() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "network namespaces need root");
        String ns = "vxring" + ProcessHandle.current().pid();
        Requirements.sh("ip", "netns", "del", ns);
        Requirements.require(Requirements.sh("ip", "netns", "add", ns) == 0, "cannot create a network namespace");
        try {
            assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "mtu", "1500", "up"));
            Path out = dir.resolve("out");
            DaemonProcess d = DaemonProcess.start(dir, List.of("ip", "netns", "exec", ns), "--receive-path", "ring",
                    "--listen", "127.0.0.1:0", "--threads", "1", "--output", out.toString());
            byte[] frame = Frames.sized(4000, 7);
            Path datagram = dir.resolve("datagram");
            java.nio.file.Files.write(datagram, Frames.vxlan(41, frame));
            try (d) {
                // One write of 4,008 bytes: the kernel sends it as three IPv4 fragments.
                assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "bash", "-c",
                        "cat " + datagram + " > /dev/udp/127.0.0.1/" + d.address().getPort()));
                Thread.sleep(500);
                assertEquals(0, d.terminate(10));
            }
            Map<String, Long> t = d.totals();
            assertEquals(1L, t.get("received"), t.toString());
            assertEquals(1L, t.get("written"), t.toString());
            assertRecords(out, 41, List.of(frame), 0, Long.MAX_VALUE / 2);
        } finally {
            Requirements.sh("ip", "netns", "del", ns);
        }
    }

    @Test
    void withoutCapNetRawTheStartFailsWithOneLine() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "dropping a capability needs root");
        Map.Entry<Integer, String> r = DaemonProcess.run(dir, List.of("setpriv", "--bounding-set", "-net_raw",
                "--inh-caps", "-net_raw"), "serve", "--receive-path", "ring", "--listen", "127.0.0.1:0",
                "--output", dir.resolve("out").toString(), "--metrics", "off");
        assertEquals(2, r.getKey(), r.getValue());
        String error = r.getValue().lines().filter(l -> l.startsWith("vxdump: ")).findFirst().orElse(r.getValue());
        assertEquals("vxdump: receive.path: ring: an AF_PACKET socket was refused (errno 1: it needs CAP_NET_RAW)", error);
        assertTrue(!r.getValue().contains("\tat "), "no stack trace: " + r.getValue());
    }

    /**
     * {@code receive.path: auto}, the default: the ring as root, the sockets once CAP_NET_RAW is
     * dropped; the start-up line says which and why, and both write what they are sent.
     */
    @Test
    void autoTakesTheRingWithCapNetRawAndTheSocketsWithout() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "dropping a capability needs root");
        String forced = System.getProperty("vxdump.it.receive", "");
        boolean ringAsRoot = forced.isBlank() || forced.equals("ring");
        for (boolean capNetRaw : new boolean[] {true, false}) {
            Path out = dir.resolve("out-" + capNetRaw);
            List<String> prefix = capNetRaw ? List.of()
                    : List.of("setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw");
            DaemonProcess d = DaemonProcess.start(dir, prefix, "--listen", "127.0.0.1:0", "--threads", "1",
                    "--output", out.toString());
            try (d) {
                String line = d.log().lines().filter(l -> l.contains("Daemon: receive: ")).findFirst().orElseThrow();
                if (capNetRaw && ringAsRoot) {
                    assertTrue(line.contains("receive: epoll, AF_PACKET TPACKET_V3 ring")
                            && line.contains("(receive.path auto: CAP_NET_RAW held)"), line);
                } else if (!capNetRaw && forced.isBlank()) {
                    assertTrue(line.contains("receive: epoll, own recvmmsg")
                            && line.contains("(receive.path auto: no ring, no CAP_NET_RAW)"), line);
                } else {
                    assertTrue(!line.contains("AF_PACKET") && line.contains("(receive.path auto: -Dvxdump.receive="), line);
                }
                List<byte[]> frames = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    frames.add(Frames.sized(100 + i, i));
                }
                List<byte[]> datagrams = new ArrayList<>();
                for (byte[] f : frames) {
                    datagrams.add(Frames.vxlan(43, f));
                }
                d.send(datagrams);
                assertEquals(0, d.terminate(10));
                Map<String, Long> t = d.totals();
                assertEquals(50L, t.get("written"), t.toString());
                assertRecords(out, 43, frames, 0, Long.MAX_VALUE / 2);
            }
        }
    }

    /**
     * {@code auto} whose ring cannot be set up after the probe allowed it (here its mapping: the
     * daemon under an address-space limit that fits the JVM but not a 2,000 MiB ring) reads the
     * sockets, with a warning, rather than not start; {@code ring} would fail the start.
     */
    @Test
    void autoReadsTheSocketsWhenTheRingCannotBeMapped() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "AF_PACKET rings need CAP_NET_RAW (root)");
        Requirements.requireProgram("prlimit", "util-linux");
        String forced = System.getProperty("vxdump.it.receive", "");
        Path config = java.nio.file.Files.writeString(dir.resolve("big-ring.yaml"),
                "receive: {socket-buffer: 2000MiB}\nstaging: {burst-size: 64MiB}\n");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, List.of("prlimit", "--as=" + (3500L << 20)), "--config", config.toString(),
                "--listen", "127.0.0.1:0", "--threads", "1", "--output", out.toString());
        try (d) {
            String line = d.log().lines().filter(l -> l.contains("Daemon: receive: ")).findFirst().orElseThrow();
            if (forced.isBlank()) {
                assertTrue(d.log().contains("receive.path auto: no ring (receive.path: ring: mmap of 2097152000 bytes "
                        + "failed (errno 12)); reading the UDP sockets"), d.log());
                assertTrue(line.contains("receive: epoll, own recvmmsg") && line.contains("(receive.path auto: no ring, "
                        + "receive.path: ring: mmap of"), line);
            } else {
                assertTrue(!line.contains("AF_PACKET"), line);
            }
            List<byte[]> frames = List.of(Frames.sized(300, 1), Frames.sized(301, 2));
            d.send(List.of(Frames.vxlan(44, frames.get(0)), Frames.vxlan(44, frames.get(1))));
            assertEquals(0, d.terminate(10));
        }
        assertEquals(2L, d.totals().get("written"), d.totals().toString());
        assertRecords(out, 44, List.of(Frames.sized(300, 1), Frames.sized(301, 2)), 0, Long.MAX_VALUE / 2);
    }

    /**
     * The drop-all socket that holds the port counts each datagram in the namespace's Udp InErrors;
     * deploy/vxdump-ring.nft (README) drops them in netfilter's raw prerouting instead, after the
     * ring has them: the counter stays flat and every datagram is still written.
     */
    @Test
    void theShippedNftRuleKeepsUdpInErrorsFlatAndTheRingStillWritesEveryDatagram() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")), "network namespaces need root");
        Requirements.requireProgram("nft", "nftables");
        String ns = "vxnft" + ProcessHandle.current().pid();
        Requirements.sh("ip", "netns", "del", ns);
        Requirements.require(Requirements.sh("ip", "netns", "add", ns) == 0, "cannot create a network namespace");
        try {
            assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
            Path out = dir.resolve("out");
            DaemonProcess d = DaemonProcess.start(dir, List.of("ip", "netns", "exec", ns), "--receive-path", "ring",
                    "--listen", "127.0.0.1:4789", "--threads", "1", "--output", out.toString());
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                frames.add(Frames.sized(80 + i, i));
            }
            Path datagrams = dir.resolve("datagrams");
            java.nio.file.Files.createDirectories(datagrams);
            for (int i = 0; i < frames.size(); i++) {
                java.nio.file.Files.write(datagrams.resolve(String.format("%03d", i)), Frames.vxlan(45, frames.get(i)));
            }
            // One socket, one cat (one write, one datagram) per file, in order.
            String send200 = "exec 3>/dev/udp/127.0.0.1/4789; for f in " + datagrams + "/%s*; do cat $f >&3; done";
            try (d) {
                long before = udpInErrors(ns);
                assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "bash", "-c", send200.formatted("[01]")));
                long without = udpInErrors(ns) - before;
                Path rule = Path.of("deploy/vxdump-ring.nft").toAbsolutePath();
                assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "nft", "-f", rule.toString()));
                assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "nft", "-f", rule.toString()), "loaded again");
                long mid = udpInErrors(ns);
                assertEquals(0, Requirements.sh("ip", "netns", "exec", ns, "bash", "-c", send200.formatted("[23]")));
                long with = udpInErrors(ns) - mid;
                Thread.sleep(300);
                assertEquals(0, d.terminate(10));
                assertEquals(200, without, "without the rule every datagram is an Udp InError");
                assertEquals(0, with, "with it none is");
            }
            Map<String, Long> t = d.totals();
            assertEquals(400L, t.get("written"), t.toString());
            assertRecords(out, 45, frames, 0, Long.MAX_VALUE / 2);
        } finally {
            Requirements.sh("ip", "netns", "del", ns);
        }
    }

    private static long udpInErrors(String ns) throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII)
                .lines().filter(l -> l.startsWith("Udp: ")).toList();
        p.waitFor();
        List<String> names = List.of(lines.get(0).split(" "));
        return Long.parseLong(lines.get(1).split(" ")[names.indexOf("InErrors")]);
    }

    /** The session's records are the frames sent, in order, stamped by the kernel while they were sent. */
    private static void assertRecords(Path out, int vni, List<byte[]> frames, long from, long to) throws Exception {
        List<PcapRecord> records = new ArrayList<>();
        for (Path f : SignalsIT.filesEnding(out, ".pcap")) {
            if (f.getFileName().toString().startsWith("vni-" + vni + "-")) {
                records.addAll(Libpcap.read(f));
            }
        }
        assertEquals(frames.size(), records.size(), "vni " + vni);
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), records.get(i).data(), "vni " + vni + ", frame " + i);
            long t = records.get(i).timestampNanos();
            // micro precision in the file: the bounds to the millisecond
            assertTrue(t >= from - 1_000_000 && t <= to + 1_000_000, "vni " + vni + " frame " + i + " at " + t);
        }
    }
}
