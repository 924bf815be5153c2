package io.vxdump.packet;

import static io.vxdump.testing.Frames.cut;
import static io.vxdump.testing.Frames.ethernet;
import static io.vxdump.testing.Frames.ipv4;
import static io.vxdump.testing.Frames.ipv6;
import static io.vxdump.testing.Frames.tcp;
import static io.vxdump.testing.Frames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.vxdump.testing.Frames;
import org.junit.jupiter.api.Test;

class InnerFrameTest {
    private final InnerFrame f = new InnerFrame();

    private InnerFrame parse(byte[] frame) {
        return f.wrap(Unpooled.wrappedBuffer(frame), 0, frame.length);
    }

    @Test
    void ipv4Tcp() {
        byte[] frame = ethernet(0x0800, ipv4(6, "10.0.1.10", "192.168.7.1", tcp(51515, 443, new byte[10])));
        parse(frame);
        assertEquals(0x0800, f.etherType());
        assertEquals(4, f.ipVersion());
        assertEquals(14, f.l3Offset());
        assertEquals(IpProtocol.TCP, f.protocol());
        assertEquals(51515, f.sourcePort());
        assertEquals(443, f.destinationPort());
        assertEquals(0x0A00010A, f.ipv4Source());
        assertEquals(0xC0A80701, f.ipv4Destination());
        assertFalse(f.fragment());
        assertFalse(f.truncated());
        assertEquals(frame.length, f.originalLength());
    }

    @Test
    void oneAndTwoVlanTags() {
        byte[] inner = ipv4(17, "10.0.0.1", "10.0.0.2", udp(1000, 53, new byte[4]));
        parse(ethernet(0x0800, inner, 0x8100));
        assertEquals(1, f.vlanCount());
        assertEquals(18, f.l3Offset());
        assertEquals(53, f.destinationPort());
        parse(ethernet(0x0800, inner, 0x88A8, 0x8100));
        assertEquals(2, f.vlanCount());
        assertEquals(22, f.l3Offset());
        assertEquals(1000, f.sourcePort());
    }

    @Test
    void aThirdTagIsNotLookedThrough() {
        parse(ethernet(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, new byte[0])), 0x88A8, 0x8100, 0x8100));
        assertEquals(0x8100, f.etherType());
        assertEquals(0, f.ipVersion());
    }

    @Test
    void frameEndingInsideAVlanTag() {
        byte[] frame = cut(ethernet(0x0800, new byte[20], 0x8100), 16);
        parse(frame);
        assertEquals(-1, f.etherType());
        assertEquals(0, f.ipVersion());
        assertEquals(16, f.originalLength());
    }

    @Test
    void truncatedIpv4FrameGetsOriginalLengthFromTheIpHeader() {
        byte[] full = ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1234, 80, new byte[1000])));
        parse(cut(full, 64));
        assertTrue(f.truncated());
        assertEquals(full.length, f.originalLength());
        assertEquals(80, f.destinationPort(), "ports survive the cut");
    }

    @Test
    void truncatedVlanTaggedFrameCountsTheTagsInTheOriginalLength() {
        byte[] full = ethernet(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", udp(1, 2, new byte[500])), 0x8100, 0x8100);
        parse(cut(full, 100));
        assertEquals(full.length, f.originalLength());
    }

    @Test
    void truncatedIpv6FrameGetsOriginalLengthFromPayloadLength() {
        byte[] full = ethernet(0x86DD, ipv6(6, "2001:db8::1", "2001:db8::2", tcp(5000, 22, new byte[700])));
        parse(cut(full, 80));
        assertTrue(f.truncated());
        assertEquals(full.length, f.originalLength());
        assertEquals(22, f.destinationPort());
    }

    @Test
    void cutBeforeThePortsLeavesThemAbsent() {
        byte[] full = ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1234, 80, new byte[100])));
        parse(cut(full, 14 + 20 + 2));
        assertEquals(IpProtocol.TCP, f.protocol());
        assertEquals(-1, f.sourcePort());
        assertEquals(-1, f.destinationPort());
        assertEquals(full.length, f.originalLength());
    }

    @Test
    void cutInsideTheIpHeaderIsNotIp() {
        byte[] full = ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1234, 80, new byte[100])));
        parse(cut(full, 14 + 19));
        assertEquals(0x0800, f.etherType());
        assertEquals(0, f.ipVersion());
        assertEquals(33, f.originalLength(), "no trustworthy IP length: the frame's own");
    }

    @Test
    void ethernetPaddingKeepsTheReceivedLength() {
        byte[] ip = ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, new byte[0])); // 40 bytes + 14 = 54 < 60
        byte[] padded = java.util.Arrays.copyOf(ethernet(0x0800, ip), 60);
        parse(padded);
        assertFalse(f.truncated());
        assertEquals(60, f.originalLength());
    }

    @Test
    void malformedIpv4Headers() {
        byte[] frame = ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, new byte[0])));
        frame[14] = 0x44; // IHL 4: shorter than a header
        parse(frame);
        assertEquals(0, f.ipVersion());
        frame[14] = 0x65; // version 6 under EtherType IPv4
        parse(frame);
        assertEquals(0, f.ipVersion());
        frame = ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, new byte[0]), 0, 10));
        parse(frame); // total length smaller than the header: ignored
        assertEquals(4, f.ipVersion());
        assertEquals(frame.length, f.originalLength());
    }

    @Test
    void ipv4Fragments() {
        byte[] first = ethernet(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", udp(4000, 2049, new byte[64]), 0x2000, -1));
        parse(first);
        assertTrue(f.fragment());
        assertTrue(f.firstFragment());
        assertEquals(2049, f.destinationPort());

        byte[] later = ethernet(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", new byte[64], 0x0009, -1));
        parse(later);
        assertTrue(f.fragment());
        assertFalse(f.firstFragment());
        assertEquals(IpProtocol.UDP, f.protocol());
        assertEquals(-1, f.sourcePort(), "later fragments carry no ports");
        assertEquals(-1, f.destinationPort());
    }

    @Test
    void ipv6WalksExtensionHeaders() {
        byte[] l4 = udp(5353, 53, new byte[8]);
        byte[] chain = Frames.ipv6Extension(IpProtocol.IPV6_OPTS, Frames.ipv6Extension(IpProtocol.UDP, l4));
        byte[] frame = ethernet(0x86DD, ipv6(IpProtocol.HOPOPT, "2001:db8::1", "2001:db8::2", chain));
        parse(frame);
        assertEquals(6, f.ipVersion());
        assertEquals(IpProtocol.UDP, f.protocol());
        assertEquals(53, f.destinationPort());
        assertEquals(14 + 40 + 16, f.l4Offset());
        assertEquals(0x20010db800000000L, f.ipv6SourceHigh());
        assertEquals(1L, f.ipv6SourceLow());
        assertEquals(2L, f.ipv6DestinationLow());
    }

    @Test
    void ipv6Fragments() {
        byte[] first = ethernet(0x86DD, ipv6(IpProtocol.IPV6_FRAG, "2001:db8::1", "2001:db8::2",
                Frames.ipv6Fragment(IpProtocol.TCP, 0, true, tcp(40000, 443, new byte[16]))));
        parse(first);
        assertTrue(f.fragment());
        assertTrue(f.firstFragment());
        assertEquals(443, f.destinationPort());

        byte[] later = ethernet(0x86DD, ipv6(IpProtocol.IPV6_FRAG, "2001:db8::1", "2001:db8::2",
                Frames.ipv6Fragment(IpProtocol.TCP, 185, false, new byte[32])));
        parse(later);
        assertTrue(f.fragment());
        assertFalse(f.firstFragment());
        assertEquals(IpProtocol.TCP, f.protocol());
        assertEquals(-1, f.destinationPort());
    }

    @Test
    void ipv6ChainCutShortStopsAtTheHeaderItCannotRead() {
        byte[] chain = Frames.ipv6Extension(IpProtocol.TCP, tcp(1, 2, new byte[0]));
        byte[] full = ethernet(0x86DD, ipv6(IpProtocol.HOPOPT, "::1", "::2", chain));
        parse(cut(full, 14 + 40 + 4));
        assertEquals(IpProtocol.HOPOPT, f.protocol());
        assertEquals(-1, f.destinationPort());
        assertEquals(full.length, f.originalLength());
    }

    @Test
    void ipv6JumbogramHasNoDeclaredLength() {
        byte[] frame = ethernet(0x86DD, ipv6(6, "::1", "::2", tcp(1, 2, new byte[4])));
        frame[14 + 4] = 0;
        frame[14 + 5] = 0;
        parse(frame);
        assertEquals(frame.length, f.originalLength());
    }

    @Test
    void arpIsNotIp() {
        parse(Frames.arp());
        assertEquals(0x0806, f.etherType());
        assertEquals(0, f.ipVersion());
        assertEquals(-1, f.protocol());
        assertEquals(-1, f.sourcePort());
    }

    @Test
    void icmpHasAProtocolButNoPorts() {
        parse(ethernet(0x0800, ipv4(1, "10.0.0.1", "10.0.0.2", Frames.icmpEcho(1, new byte[8]))));
        assertEquals(IpProtocol.ICMP, f.protocol());
        assertEquals(-1, f.l4Offset());
    }

    @Test
    void reusingTheFlyweightForgetsThePreviousFrame() {
        parse(ethernet(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", tcp(1, 2, new byte[0]))));
        parse(Frames.arp());
        assertEquals(-1, f.destinationPort());
        assertEquals(0, f.ipv4Source());
    }
}
