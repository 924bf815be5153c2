package io.vxdump.testing;

import static io.vxdump.testing.Frames.ethernet;
import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.ipv6;
import static io.vxdump.testing.Frames.tcp;
import static io.vxdump.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The generator of the captures in pcaps/ (described in pcaps/README.md), and the test that the
 * committed files are exactly what it makes. Regenerate with
 * {@code mvn -q test -Dtest=PcapsTest -Dpcaps.write=true}.
 */
class PcapsTest {
    private static final Path DIR = Path.of("pcaps");
    private static final long START = 1_790_000_000L; // 2026-09-21T14:13:20Z

    /** Plain Ethernet traffic, for replay with a VNI. */
    static List<byte[]> ethernetMix() {
        List<byte[]> f = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            f.add(ethernet(0x0800, ipv4(6, "10.0.1.10", "10.0.2.20", tcp(40000 + i, 443, new byte[64 * i]))));
            f.add(ethernet(0x0800, ipv4(6, "10.0.2.20", "10.0.1.10", tcp(443, 40000 + i, new byte[32]))));
        }
        f.add(ethernet(0x0800, ipv4(17, "10.0.1.10", "10.0.0.2", udp(53000, 53, new byte[40]))));
        f.add(ethernet(0x0800, ipv4(1, "10.0.1.10", "10.0.0.1", Frames.icmpEcho(1, new byte[56]))));
        f.add(ethernet(0x86DD, ipv6(6, "2001:db8:1::10", "2001:db8:2::20", tcp(50000, 22, new byte[100]))));
        f.add(ethernet(0x86DD, ipv6(17, "2001:db8:1::10", "2001:db8::53", udp(50001, 53, new byte[30]))));
        f.add(ethernet(0x0800, ipv4(17, "10.0.1.10", "10.0.3.30", udp(700, 2049, new byte[200])), 0x8100));
        f.add(Frames.arp());
        f.add(Frames.sized(1400, 7));
        return f;
    }

    /** VXLAN as AWS mirroring sends it: Ethernet/IPv4/UDP 4789 from the source ENI to the target. */
    static List<byte[]> vxlanMirror() {
        List<byte[]> out = new ArrayList<>();
        List<byte[]> inner = ethernetMix();
        int[] vnis = {100, 200, 5569041};
        for (int i = 0; i < inner.size(); i++) {
            int vni = vnis[i % vnis.length];
            byte[] datagram = Frames.vxlan(vni, inner.get(i));
            int srcPort = 49152 + (Math.abs(java.util.Arrays.hashCode(inner.get(i))) % 16384);
            out.add(ethernet(0x0800, ipv4(17, "10.0.1.10", "10.0.9.9", udp(srcPort, 4789, datagram))));
        }
        return out;
    }

    static byte[] pcap(List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.writeBytes(h.array());
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.putInt((int) (START + i / 4)).putInt((i % 4) * 250_000).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    private static void check(String name, List<byte[]> frames) throws Exception {
        byte[] expected = pcap(frames);
        Path file = DIR.resolve(name);
        if (Boolean.getBoolean("pcaps.write")) {
            Files.write(file, expected);
        }
        assertArrayEquals(expected, Files.readAllBytes(file), file + " differs from what the generator makes");
        assertEquals(frames.size(), Tshark.frames(file).size(), "tshark reads every packet of " + file);
    }

    @Test
    void ethernetMixIsReproducible() throws Exception {
        check("ethernet-mix.pcap", ethernetMix());
    }

    @Test
    void vxlanMirrorIsReproducible() throws Exception {
        check("vxlan-mirror.pcap", vxlanMirror());
    }
}
