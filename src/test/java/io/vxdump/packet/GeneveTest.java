package io.vxdump.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.testing.Frames;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneveTest {
    private final Geneve g = new Geneve();
    private final byte[] frame = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.1.10", "203.0.113.5",
            Frames.tcp(443, 51000, new byte[40])));

    private int decode(byte[] d) {
        // At an offset, as in a recvmmsg batch buffer.
        ByteBuf b = Unpooled.buffer(d.length + 7);
        b.setBytes(7, d);
        return g.decode(b, 7, d.length);
    }

    private byte[] decodedFrame(byte[] d) {
        return Arrays.copyOfRange(d, g.frameIndex() - 7, g.frameIndex() - 7 + g.frameLength());
    }

    @Test
    void ethernetInsideGeneveIsTheFrameAndTheGeneveVni() {
        byte[] d = Frames.geneve(0x40, 0x6558, 11, Frames.awsGeneveOptions(), frame); // critical options: captured
        assertEquals(11, decode(d));
        assertFalse(g.carriesVxlan());
        assertArrayEquals(frame, decodedFrame(d));
    }

    @Test
    void aGwlbMirrorPacketIsTheInnerVxlanFrameWithTheMirrorSource() {
        byte[] d = Frames.gwlbMirror("10.0.1.10", 5569041, 77, frame);
        assertEquals(5569041, decode(d), "the session is the VXLAN VNI, not the GENEVE one");
        assertTrue(g.carriesVxlan());
        assertArrayEquals(frame, decodedFrame(d));
        assertTrue(g.mirrorSourceIsIpv4());
        assertEquals(0x0A00010A, g.mirrorSource4(), "10.0.1.10, the monitored ENI");

        byte[] v6 = Frames.geneve(0, 0x86DD, 1, new byte[0], Frames.ipv6(17, "2001:db8::10", "2001:db8::99",
                Frames.udp(50000, 4789, Frames.vxlan(9, frame))));
        assertEquals(9, decode(v6));
        assertFalse(g.mirrorSourceIsIpv4());
        assertEquals(0x20010db800000000L, g.mirrorSource6High());
        assertEquals(0x10L, g.mirrorSource6Low());
        assertArrayEquals(frame, decodedFrame(v6));
    }

    @Test
    void oamIsReportedAndMalformedGeneveIsADecapError() {
        assertEquals(Geneve.OAM, decode(Frames.geneve(0x80, 0x6558, 1, new byte[0], frame)));
        byte[] good = Frames.gwlbMirror("10.0.1.10", 5, 1, frame);
        assertEquals(Geneve.DECAP_ERROR, decode(Arrays.copyOf(good, 7)), "short");
        byte[] v1 = good.clone();
        v1[0] |= 0x40;
        assertEquals(Geneve.DECAP_ERROR, decode(v1), "version 1");
        byte[] longOptions = good.clone();
        longOptions[0] = 0x3F; // 252 bytes of options in a shorter datagram
        assertEquals(Geneve.DECAP_ERROR, decode(Arrays.copyOf(longOptions, 200)), "options past the end");
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x0800, 1, new byte[0],
                Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50000, 4790, Frames.vxlan(5, frame))))), "inner UDP not 4789");
        byte[] noIFlag = Frames.vxlan(5, frame);
        noIFlag[0] = 0;
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x0800, 1, new byte[0],
                Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50000, 4789, noIFlag)))), "inner VXLAN without the I flag");
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x0800, 1, new byte[0],
                Frames.ipv4(6, "10.0.1.10", "10.0.9.9", Frames.tcp(50000, 4789, new byte[40])))), "inner TCP");
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x88CC, 1, new byte[0], frame)), "another protocol");
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x6558, 1, new byte[0], new byte[10])), "no Ethernet header");
        assertEquals(Geneve.DECAP_ERROR, decode(Frames.geneve(0, 0x0800, 1, new byte[0],
                Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50000, 4789, Frames.vxlan(5, frame)), 0x2000, -1))),
                "an inner fragment");
    }
}
