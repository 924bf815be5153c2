package io.vxdump.replay;

import io.vxdump.capture.CapturedPacket;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vxdump.testing.Frames;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EncapsulatorTest {
    private static final byte[] IP4 = Frames.ipv4(17, "10.0.0.1", "10.0.0.2", Frames.udp(1000, 53, new byte[12]));
    private static final byte[] IP6 = Frames.ipv6(6, "2001:db8::1", "2001:db8::2", Frames.tcp(1, 2, new byte[0]));

    @Test
    void rawIpGetsASyntheticEthernetHeader() {
        Encapsulator e = new Encapsulator(4789, 55, null);
        for (int linkType : new int[] {101, 228}) {
            Encapsulator.Datagram d = e.encapsulate(new CapturedPacket(0, linkType, IP4, IP4.length));
            ByteBuffer b = ByteBuffer.wrap(d.payload());
            assertEquals(0x08000000, b.getInt(0));
            assertEquals(55, b.getInt(4) >>> 8);
            assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 8, 0}, Arrays.copyOfRange(d.payload(), 8, 22));
            assertArrayEquals(IP4, Arrays.copyOfRange(d.payload(), 22, d.payload().length));
        }
        Encapsulator.Datagram v6 = e.encapsulate(new CapturedPacket(0, 229, IP6, IP6.length));
        assertEquals((byte) 0x86, v6.payload()[8 + 12]);
        assertEquals((byte) 0xDD, v6.payload()[8 + 13]);
    }

    @Test
    void otherLinkTypesAndNonIpRawRecordsAreSkippedAndCounted() {
        Encapsulator e = new Encapsulator(4789, null, null);
        assertNull(e.encapsulate(new CapturedPacket(0, 113, IP4, IP4.length))); // Linux cooked capture
        assertNull(e.encapsulate(new CapturedPacket(0, 101, new byte[] {0x10, 0}, 2)));
        assertEquals(1L, e.skipped().get(Encapsulator.Skip.LINK_TYPE));
        assertEquals(1L, e.skipped().get(Encapsulator.Skip.NOT_IP));
    }

    @Test
    void aCapturedVxlanDatagramIsSentAsItIsFromTheVxlanHeaderOn() {
        byte[] inner = Frames.sized(200, 3);
        byte[] outer = Frames.ethernet(0x0800, Frames.ipv4(17, "10.0.1.10", "10.0.9.9", Frames.udp(50000, 4789,
                Frames.vxlan(5569041, inner))));
        byte[] padded = Arrays.copyOf(outer, outer.length + 4); // Ethernet trailer after the IP packet
        Encapsulator keep = new Encapsulator(4789, null, null);
        assertArrayEquals(Frames.vxlan(5569041, inner), keep.encapsulate(new CapturedPacket(0, 1, padded, padded.length)).payload());
        Encapsulator other = new Encapsulator(8472, null, null);
        assertArrayEquals(Frames.vxlan(1, padded), other.encapsulate(new CapturedPacket(0, 1, padded, padded.length)).payload(),
                "--from-port 8472: this capture is plain Ethernet then");
    }

    @Test
    void theSourcePortIsAStableHashOfTheInnerFlow() {
        Encapsulator e = new Encapsulator(4789, null, null);
        byte[] a1 = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.0.1", "10.0.0.2", Frames.tcp(1111, 443, new byte[5])));
        byte[] a2 = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.0.1", "10.0.0.2", Frames.tcp(1111, 443, new byte[900])));
        byte[] b = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.0.1", "10.0.0.2", Frames.tcp(1112, 443, new byte[5])));
        int p1 = e.encapsulate(new CapturedPacket(0, 1, a1, a1.length)).sourcePort();
        assertEquals(p1, e.encapsulate(new CapturedPacket(0, 1, a2, a2.length)).sourcePort());
        int p2 = e.encapsulate(new CapturedPacket(0, 1, b, b.length)).sourcePort();
        assertEquals(true, p1 >= 49152 && p1 <= 65535 && p2 >= 49152 && p2 <= 65535);
        assertEquals(false, p1 == p2, "another flow, most likely another port");
    }
}
