package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Tshark;
import java.io.IOException;
import java.net.InetSocketAddress;
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

/**
 * A GENEVE listener beside the VXLAN one, as a Gateway Load Balancer target: tcpdump's real GENEVE
 * capture (Ethernet inside, critical options) and GWLB-style geneve+vxlan built from the real VXLAN
 * capture, each frame byte-exact in its session; malformed GENEVE counted; counts per listener.
 */
class GeneveIT {
    private static Path captures() {
        return io.vxdump.testing.Requirements.sharedCaptures();
    }


    @TempDir
    Path dir;

    /** The UDP payload of an outer Ethernet/IPv4/UDP frame. */
    private static byte[] udpPayload(byte[] frame) {
        int ihl = (frame[14] & 0x0F) * 4;
        return Arrays.copyOfRange(frame, 14 + ihl + 8, frame.length);
    }

    private static List<PcapRecord> records(Path sessionDir) throws IOException {
        List<PcapRecord> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(sessionDir)) {
            for (Path f : files.sorted().toList()) {
                assertTrue(f.toString().endsWith(".pcap"), "finished: " + f);
                all.addAll(Libpcap.read(f));
                Tshark.frames(f); // tshark reads it without complaint
            }
        }
        return all;
    }

    @Test
    void realGeneveAndGwlbMirrorPacketsLandInTheirSessionsByteExact() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--listen", "geneve:127.0.0.1:0",
                "--output", out.toString(), "--threads", "2", "--instance-id", "i1");
        Map<Integer, List<byte[]>> expected = new HashMap<>();
        List<byte[]> geneve = new ArrayList<>();
        try (d) {
            InetSocketAddress geneveAt = d.address("geneve");
            assertTrue(geneveAt.getPort() != d.address("vxlan").getPort());

            // tcpdump's capture: the VNI and the options' length from tshark, the bytes from libpcap.
            List<PcapRecord> outer = Libpcap.read(captures().resolve("geneve.pcap"));
            List<String> fields = tsharkFields(captures().resolve("geneve.pcap"));
            assertEquals(outer.size(), fields.size());
            for (int i = 0; i < outer.size(); i++) {
                byte[] payload = udpPayload(outer.get(i).data());
                String[] f = fields.get(i).split("\t", -1);
                int vni = Integer.decode(f[0]);
                int optionBytes = f.length > 1 ? f[1].replace(":", "").length() / 2 : 0;
                geneve.add(payload);
                expected.computeIfAbsent(vni, v -> new ArrayList<>())
                        .add(Arrays.copyOfRange(payload, 8 + optionBytes, payload.length));
            }
            // The real VXLAN capture as a GWLB would hand it on: the session is the VXLAN VNI (100).
            for (PcapRecord r : Libpcap.read(captures().resolve("vxlan.pcap"))) {
                byte[] vxlan = udpPayload(r.data());
                byte[] inner = Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50123, 4789, vxlan));
                geneve.add(Frames.geneve(0x40, 0x0800, 4242, Frames.awsGeneveOptions(), inner));
                expected.computeIfAbsent(((vxlan[4] & 0xFF) << 16) | ((vxlan[5] & 0xFF) << 8) | (vxlan[6] & 0xFF),
                        v -> new ArrayList<>()).add(Arrays.copyOfRange(vxlan, 8, vxlan.length));
            }
            // Malformed: a bad version, options past the end, inner UDP not to 4789; and one OAM packet.
            byte[] good = geneve.get(geneve.size() - 1);
            byte[] v1 = good.clone();
            v1[0] |= 0x40;
            byte[] options = good.clone();
            options[0] = 0x3F;
            geneve.add(v1);
            geneve.add(Arrays.copyOf(options, 100));
            geneve.add(Frames.geneve(0, 0x0800, 1, new byte[0],
                    Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50123, 4790, Frames.vxlan(5, Frames.arp())))));
            geneve.add(Frames.geneve(0x80, 0x6558, 10, new byte[0], Frames.arp()));
            DaemonProcess.sendTo(geneveAt, geneve);
            d.send(List.of(Frames.vxlan(7, Frames.arp()))); // and VXLAN on its own listener, at the same time

            Thread.sleep(1500);
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertEquals((double) geneve.size(), m.get(
                    "vxdump_listener_datagrams_received_total{encapsulation=\"geneve\",listener=\"geneve:" + host(geneveAt) + "\"}"));
            assertEquals(1.0, m.get("vxdump_listener_datagrams_received_total{encapsulation=\"vxlan\",listener=\"vxlan:"
                    + host(d.address("vxlan")) + "\"}"));
            assertEquals(3.0, m.get("vxdump_datagrams_dropped_total{reason=\"decap_error\",session=\"\"}"));
            assertEquals(1.0, m.get("vxdump_datagrams_dropped_total{reason=\"geneve_oam\",session=\"\"}"));
            assertEquals(0, d.terminate(10));
            assertEquals(geneve.size() + 1L, d.totals().get("received"));
        }
        assertEquals(java.util.Set.of(10, 11, 100), expected.keySet());
        for (Map.Entry<Integer, List<byte[]>> e : expected.entrySet()) {
            List<PcapRecord> got = records(out.resolve("vni-" + e.getKey()));
            assertEquals(e.getValue().size(), got.size(), "vni-" + e.getKey());
            for (int i = 0; i < got.size(); i++) {
                assertArrayEquals(e.getValue().get(i), got.get(i).data(), "vni-" + e.getKey() + " record " + i);
            }
        }
        assertEquals(1, records(out.resolve("vni-7")).size());
    }

    private static String host(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    private static List<String> tsharkFields(Path capture) throws Exception {
        io.vxdump.testing.Requirements.requireProgram("tshark", "tshark");
        Process p = new ProcessBuilder("tshark", "-r", capture.toString(), "-T", "fields", "-e", "geneve.vni",
                "-e", "geneve.options").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String text = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor());
        return text.lines().toList();
    }
}
