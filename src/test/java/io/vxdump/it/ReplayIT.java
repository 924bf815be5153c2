package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import io.vxdump.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** vxdump replay against a test receiver and against vxdump serve. */
class ReplayIT {
    private static final Path MIRROR = Path.of("pcaps", "vxlan-mirror.pcap").toAbsolutePath();
    private static final Path ETHERNET = Path.of("pcaps", "ethernet-mix.pcap").toAbsolutePath();

    @TempDir
    Path dir;

    /** A datagram as the test receiver got it. */
    record Received(byte[] payload, int sourcePort, long atNanos) {
    }

    /** Runs {@code vxdump replay args... --to <a test socket>} and returns what arrived, in order. */
    private List<Received> replayToReceiver(Map.Entry<Integer, String>[] result, String... args) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setReceiveBufferSize(8 << 20);
            List<String> all = new ArrayList<>(List.of("replay"));
            all.addAll(List.of(args));
            all.addAll(List.of("--to", "127.0.0.1:" + socket.getLocalPort()));
            Thread runner = new Thread(() -> {
                try {
                    result[0] = DaemonProcess.run(dir, all.toArray(String[]::new));
                } catch (Exception e) {
                    result[0] = Map.entry(-1, e.toString());
                }
            });
            runner.start();
            List<Received> got = new ArrayList<>();
            socket.setSoTimeout(500);
            byte[] buf = new byte[65536];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (SocketTimeoutException e) {
                    if (!runner.isAlive()) {
                        break;
                    }
                    continue;
                }
                got.add(new Received(Arrays.copyOf(p.getData(), p.getLength()), p.getPort(), System.nanoTime()));
            }
            runner.join();
            return got;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<Integer, String>[] holder() {
        return new Map.Entry[1];
    }

    private static List<byte[]> framesOf(Path capture) {
        return Libpcap.read(capture).stream().map(PcapRecord::data).toList();
    }

    @Test
    void vxlanCapturesAreSentAsTheyAreAndOthersAreWrapped() throws Exception {
        var result = holder();
        // One source port keeps one socket, so the order is the capture's (flows on different
        // ports may overtake each other inside a send batch at top speed).
        List<Received> got = replayToReceiver(result, MIRROR.toString(), "--topspeed", "--source-port", "45670");
        assertEquals(0, result[0].getKey(), result[0].getValue());
        assertTrue(result[0].getValue().contains("sent 15 packets"), result[0].getValue());
        List<byte[]> outer = framesOf(MIRROR);
        assertEquals(outer.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            byte[] udpPayload = Arrays.copyOfRange(outer.get(i), 14 + 20 + 8, outer.get(i).length);
            assertArrayEquals(udpPayload, got.get(i).payload(), "datagram " + i);
        }

        got = replayToReceiver(result, ETHERNET.toString(), "--topspeed", "--vni", "4242", "--source-port", "45671");
        List<byte[]> frames = framesOf(ETHERNET);
        assertEquals(frames.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            assertArrayEquals(Frames.vxlan(4242, frames.get(i)), got.get(i).payload(), "wrapped " + i);
        }
        got = replayToReceiver(result, MIRROR.toString(), "--topspeed", "--vni", "77");
        assertEquals(77, ByteBuffer.wrap(got.get(0).payload()).getInt(4) >>> 8, "--vni rewrites the VNI");
    }

    @Test
    void theSourcePortFollowsTheInnerFlowUnlessPinned() throws Exception {
        var result = holder();
        List<Received> got = replayToReceiver(result, ETHERNET.toString(), "--topspeed", "--loop", "2");
        assertEquals(30, got.size());
        Map<String, Integer> portOfFlow = new HashMap<>();
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (Received r : got) {
            byte[] f = Arrays.copyOfRange(r.payload(), 8, r.payload().length);
            String flow = Arrays.toString(Arrays.copyOfRange(f, 12, Math.min(f.length, 14 + 40 + 4)));
            if (f[12] == 0x08 && f[13] == 0x00) { // IPv4: protocol, addresses, ports
                flow = f[23] + " " + Arrays.toString(Arrays.copyOfRange(f, 26, 38));
            }
            Integer before = portOfFlow.putIfAbsent(flow, r.sourcePort());
            if (before != null) {
                assertEquals(before, r.sourcePort(), "one flow, one source port: " + flow);
            }
            ports.add(r.sourcePort());
            assertTrue(r.sourcePort() >= 49152);
        }
        assertTrue(ports.size() > 5, "different flows get different ports: " + ports);
        got = replayToReceiver(result, ETHERNET.toString(), "--topspeed", "--source-port", "45678");
        for (Received r : got) {
            assertEquals(45678, r.sourcePort());
        }
        try (DatagramSocket taken = new DatagramSocket(0)) {
            got = replayToReceiver(result, ETHERNET.toString(), "--topspeed", "--source-port",
                    String.valueOf(taken.getLocalPort()));
            assertEquals(15, got.size(), "sent all the same");
            assertTrue(result[0].getValue().contains("1 source port(s) were in use"), result[0].getValue());
        }
    }

    @Test
    void pcapngAndNanosecondInputsGiveTheSameDatagrams() throws Exception {
        Requirements.require(Requirements.sh("editcap", "-h") == 0, "editcap (Debian wireshark-common) is missing");
        Path ng = dir.resolve("mix.pcapng");
        Path ns = dir.resolve("mix-ns.pcap");
        Tshark.run("editcap", "-F", "pcapng", ETHERNET.toString(), ng.toString());
        Tshark.run("editcap", "-F", "nsecpcap", ETHERNET.toString(), ns.toString());
        var result = holder();
        List<Received> classic = replayToReceiver(result, ETHERNET.toString(), "--pps", "1000");
        for (Path other : List.of(ng, ns)) {
            List<Received> got = replayToReceiver(result, other.toString(), "--pps", "1000");
            assertEquals(0, result[0].getKey(), result[0].getValue());
            assertEquals(classic.size(), got.size(), other.toString());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(classic.get(i).payload(), got.get(i).payload(), other + " datagram " + i);
                assertEquals(classic.get(i).sourcePort(), got.get(i).sourcePort());
            }
        }
    }

    @Test
    void pacingKeepsTheOrderAndASlowRateTakesItsTime() throws Exception {
        var result = holder();
        long start = System.nanoTime();
        List<Received> got = replayToReceiver(result, ETHERNET.toString(), "--pps", "20", "--source-port", "45679");
        assertEquals(15, got.size());
        double spread = (got.get(14).atNanos() - got.get(0).atNanos()) / 1e9;
        assertTrue(spread > 0.5 && spread < 3.0, "15 packets at 20 pps take about 0.7 s, took " + spread);
        List<byte[]> frames = framesOf(ETHERNET);
        for (int i = 0; i < 15; i++) {
            assertArrayEquals(Frames.vxlan(1, frames.get(i)), got.get(i).payload(), "in capture order");
        }
        // The capture's own timing: 15 packets, four a second, so about 3.5 s; twice as fast, 1.75 s.
        got = replayToReceiver(result, ETHERNET.toString(), "--speed", "2", "--source-port", "45680");
        spread = (got.get(14).atNanos() - got.get(0).atNanos()) / 1e9;
        assertTrue(spread > 1.3 && spread < 4.0, "capture timing at speed 2 takes about 1.75 s, took " + spread);
        assertTrue(System.nanoTime() - start > 2_000_000_000L);
        got = replayToReceiver(result, ETHERNET.toString(), "--topspeed", "--loop", "3");
        assertEquals(45, got.size(), "--loop 3");
    }

    @Test
    void badInputIsOneLineWithStatus2() throws Exception {
        var missing = DaemonProcess.run(dir, "replay", "nope.pcap", "--to", "127.0.0.1:9");
        assertEquals(2, missing.getKey());
        assertEquals("vxdump: nope.pcap: no such file", missing.getValue().strip());

        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "not a capture");
        var notCapture = DaemonProcess.run(dir, "replay", text.toString(), "--to", "127.0.0.1:9");
        assertEquals(2, notCapture.getKey());
        assertEquals("vxdump: " + text + ": not a capture file (neither pcap nor pcapng magic)", notCapture.getValue().strip());

        byte[] whole = Files.readAllBytes(ETHERNET);
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 10));
        var result = holder();
        List<Received> got = replayToReceiver(result, cut.toString(), "--topspeed");
        assertEquals(2, result[0].getKey());
        assertEquals(14, got.size(), "the packets before the truncated one are sent");
        assertTrue(result[0].getValue().contains("vxdump: " + cut + ": truncated last record"), result[0].getValue());
        assertFalse(result[0].getValue().contains("\tat "), "no stack trace");

        Path big = dir.resolve("big.pcap");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xA1B2C3D4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1).array());
        for (byte[] f : List.of(Frames.sized(70_000, 1), Frames.sized(100, 2))) {
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(0).putInt(f.length)
                    .putInt(f.length).array());
            out.writeBytes(f);
        }
        Files.write(big, out.toByteArray());
        got = replayToReceiver(result, big.toString(), "--topspeed");
        assertEquals(0, result[0].getKey(), result[0].getValue());
        assertEquals(1, got.size());
        assertTrue(result[0].getValue().contains("sent 1 packets") && result[0].getValue()
                .contains("skipped 1 (1 too large for one UDP datagram)"), result[0].getValue());

        var usage = DaemonProcess.run(dir, "replay", ETHERNET.toString(), "--to", "127.0.0.1:9", "--pps", "5", "--topspeed");
        assertEquals(2, usage.getKey());
        assertTrue(usage.getValue().startsWith("vxdump: Error: --pps=<N>, --topspeed are mutually exclusive")
                || usage.getValue().contains("mutually exclusive"), usage.getValue());
    }

    @Test
    void replayIntoServeWritesTheCapturesFramesByteForByte() throws Exception {
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out", "--threads", "1");
        try (d) {
            String to = "127.0.0.1:" + d.address().getPort();
            List<Path> inputs = new ArrayList<>(List.of(MIRROR));
            Path shared = Path.of("..", "shared", "captures", "vxlan.pcap");
            if (Files.exists(shared)) {
                inputs.add(shared);
            }
            for (Path in : inputs) {
                var run = DaemonProcess.run(dir, "replay", in.toAbsolutePath().toString(), "--to", to, "--topspeed");
                assertEquals(0, run.getKey(), run.getValue());
            }
            var wrapped = DaemonProcess.run(dir, "replay", ETHERNET.toAbsolutePath().toString(), "--to", to,
                    "--topspeed", "--vni", "9");
            assertEquals(0, wrapped.getKey(), wrapped.getValue());
            Thread.sleep(300);
            assertEquals(0, d.terminate(5));

            List<byte[]> frames = framesOf(ETHERNET);
            int[] vnis = {100, 200, 5569041};
            Map<Integer, List<byte[]>> expected = new HashMap<>();
            for (int i = 0; i < frames.size(); i++) {
                expected.computeIfAbsent(vnis[i % 3], k -> new ArrayList<>()).add(frames.get(i));
            }
            if (inputs.size() > 1) {
                for (byte[] outer : framesOf(inputs.get(1))) {
                    expected.computeIfAbsent(100, k -> new ArrayList<>()).add(Arrays.copyOfRange(outer, 14 + 20 + 8 + 8, outer.length));
                }
            }
            expected.put(9, frames);
            for (var e : expected.entrySet()) {
                List<PcapRecord> written = new ArrayList<>();
                try (Stream<Path> files = Files.list(dir.resolve("out/vni-" + e.getKey()))) {
                    for (Path f : files.sorted().toList()) {
                        written.addAll(Libpcap.read(f));
                    }
                }
                assertEquals(e.getValue().size(), written.size(), "VNI " + e.getKey());
                // At top speed flows may overtake each other (one socket and batch per flow): compare as sets.
                List<byte[]> want = new ArrayList<>(e.getValue());
                List<byte[]> have = new ArrayList<>(written.stream().map(PcapRecord::data).toList());
                want.sort(Arrays::compare);
                have.sort(Arrays::compare);
                for (int i = 0; i < want.size(); i++) {
                    assertArrayEquals(want.get(i), have.get(i), "VNI " + e.getKey() + " frame " + i);
                }
            }
        }
    }

    /**
     * A capture of {@code n} frames over {@code flows} TCP flows (so as many source ports), 0.5 ms
     * apart, numbered; the flows interleave irregularly, as a real capture's do.
     */
    private Path manyFlows(int n, int flows) throws Exception {
        Path f = dir.resolve("flows.pcap");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xA1B2C3D4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1).array());
        for (int i = 0; i < n; i++) {
            byte[] payload = ByteBuffer.allocate(32).putInt(i).array();
            int flow = (int) (((long) i * i + i / 3) % flows);
            byte[] frame = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.1." + flow, "10.0.2.1",
                    Frames.tcp(20000 + flow, 443, payload)));
            long us = 1_700_000_000_000_000L + i * 500L;
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt((int) (us / 1_000_000))
                    .putInt((int) (us % 1_000_000)).putInt(frame.length).putInt(frame.length).array());
            out.writeBytes(frame);
        }
        Files.write(f, out.toByteArray());
        return f;
    }

    @Test
    void manyFlowsArriveInTheCapturesOrderAtEveryPacing() throws Exception {
        int n = 2000;
        Path capture = manyFlows(n, 60);
        List<byte[]> frames = framesOf(capture);
        for (String[] pacing : new String[][] {{"--topspeed"}, {"--pps", "5000"}, {"--speed", "1"}, {"--mbps", "50"}}) {
            var result = holder();
            List<String> args = new ArrayList<>(List.of(capture.toString()));
            args.addAll(List.of(pacing));
            List<Received> got = replayToReceiver(result, args.toArray(String[]::new));
            assertEquals(0, result[0].getKey(), result[0].getValue());
            assertEquals(n, got.size(), String.join(" ", pacing) + ": every datagram arrived");
            java.util.Set<Integer> ports = new java.util.HashSet<>();
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Frames.vxlan(1, frames.get(i)), got.get(i).payload(),
                        String.join(" ", pacing) + ": datagram " + i + " in the capture's order");
                ports.add(got.get(i).sourcePort());
            }
            assertTrue(ports.size() > 30, "many flows, many source ports: " + ports.size());
        }
    }

    @Test
    void encapGeneveSendsWhatAGwlbWouldAndServeCapturesIt() throws Exception {
        var result = holder();
        List<Received> got = replayToReceiver(result, MIRROR.toString(), "--topspeed", "--encap", "geneve");
        assertEquals(0, result[0].getKey(), result[0].getValue());
        List<byte[]> outer = framesOf(MIRROR);
        assertEquals(outer.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            byte[] g = got.get(i).payload();
            byte[] vxlan = Arrays.copyOfRange(outer.get(i), 14 + 20 + 8, outer.get(i).length);
            ByteBuffer b = ByteBuffer.wrap(g);
            int optionBytes = (g[0] & 0x3F) * 4;
            assertEquals(0, g[0] >>> 6, "GENEVE version 0");
            assertEquals(0x0800, b.getShort(2) & 0xFFFF, "IPv4 inside");
            assertEquals(0x0108, b.getShort(8) & 0xFFFF, "AWS's option class");
            int ip = 8 + optionBytes;
            assertArrayEquals(Arrays.copyOfRange(outer.get(i), 14 + 12, 14 + 16), Arrays.copyOfRange(g, ip + 12, ip + 16),
                    "the inner source is the capture's mirror source");
            assertEquals(got.get(i).sourcePort(), b.getShort(ip + 20) & 0xFFFF, "from the inner flow's port");
            assertEquals(4789, b.getShort(ip + 22) & 0xFFFF);
            assertArrayEquals(vxlan, Arrays.copyOfRange(g, ip + 28, g.length), "then the VXLAN datagram as captured");
        }

        // Into serve's GENEVE listener: the same frames as the VXLAN replay gives.
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "geneve:127.0.0.1:0", "--output", out.toString(),
                "--threads", "1");
        try (d) {
            var r = DaemonProcess.run(dir, "replay", MIRROR.toString(), "--pps", "2000", "--encap", "geneve",
                    "--to", "127.0.0.1:" + d.address("geneve").getPort());
            assertEquals(0, r.getKey(), r.getValue());
            Thread.sleep(1000);
            assertEquals(0, d.terminate(10));
            assertEquals((long) outer.size(), d.totals().get("written"), d.totals().toString());
        }
        List<byte[]> written = new ArrayList<>();
        try (var files = Files.walk(out)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".pcap")).sorted().toList()) {
                Libpcap.read(f).forEach(rec -> written.add(rec.data()));
            }
        }
        assertEquals(outer.size(), written.size());
        java.util.Set<String> expected = new java.util.HashSet<>();
        for (byte[] o : outer) {
            expected.add(java.util.HexFormat.of().formatHex(Arrays.copyOfRange(o, 14 + 20 + 8 + 8, o.length)));
        }
        for (byte[] w : written) {
            assertTrue(expected.contains(java.util.HexFormat.of().formatHex(w)), "a captured frame, byte-exact");
        }
    }

    /** Three records: a frame, an empty record, and a frame 136 years later (a capture's broken clock). */
    private Path brokenClock() throws Exception {
        Path f = dir.resolve("broken-clock.pcap");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(0xA1B2C3D4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1).array());
        long[] seconds = {1L, 2L, 0xFFFF_FFF0L}; // 1970, then 2106
        int[] lengths = {100, 0, 120};
        for (int i = 0; i < 3; i++) {
            byte[] frame = lengths[i] == 0 ? new byte[0] : Frames.sized(lengths[i], i);
            out.writeBytes(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt((int) seconds[i]).putInt(0)
                    .putInt(frame.length).putInt(frame.length).array());
            out.writeBytes(frame);
        }
        Files.write(f, out.toByteArray());
        return f;
    }

    @Test
    void aHugeGapIsCutAndEmptyRecordsAreSkippedAndCounted() throws Exception {
        Path capture = brokenClock();
        for (String[] pacing : new String[][] {{}, {"--speed", "1000000"}}) {
            var result = holder();
            List<String> args = new ArrayList<>(List.of(capture.toString()));
            args.addAll(List.of(pacing));
            long start = System.nanoTime();
            List<Received> got = replayToReceiver(result, args.toArray(String[]::new));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(0, result[0].getKey(), result[0].getValue());
            assertEquals(2, got.size(), "the two frames, not the empty record");
            assertTrue(result[0].getValue().contains("sent 2 packets"), result[0].getValue());
            assertTrue(result[0].getValue().contains("skipped 1 (1 empty (zero-length records))"), result[0].getValue());
            if (pacing.length == 0) {
                assertTrue(result[0].getValue().contains("packet 3 comes 136 years after the one before; gaps are cut to "
                        + "1.000 s (--max-gap)"), result[0].getValue());
            }
            assertTrue(millis < 20_000, "finished in " + millis + " ms");
        }
        var result = holder();
        List<Received> got = replayToReceiver(result, capture.toString(), "--max-gap", "2s");
        assertEquals(2, got.size());
        long apart = got.get(1).atNanos() - got.get(0).atNanos();
        assertTrue(apart > 1_500_000_000L, "--max-gap 2s: the frames arrive about 3 s apart (1 s, then 2 s): " + apart);
    }

    @Test
    void aDestinationThatRefusesIsAnError() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // free once closed: nothing listens there
        }
        Map.Entry<Integer, String> r = DaemonProcess.run(dir, "replay", manyFlows(200, 4).toString(), "--pps", "1000",
                "--to", "127.0.0.1:" + port);
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().strip().endsWith("vxdump: 127.0.0.1:" + port
                + ": connection refused (ICMP port unreachable): nothing listens there"), r.getValue());
    }
}
