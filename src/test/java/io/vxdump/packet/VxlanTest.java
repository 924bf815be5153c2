package io.vxdump.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.vxdump.testing.Frames;
import org.junit.jupiter.api.Test;

class VxlanTest {
    private static int vni(byte[] datagram) {
        return Vxlan.vni(Unpooled.wrappedBuffer(datagram), 0, datagram.length);
    }

    @Test
    void readsTheVniOfAValidDatagram() {
        assertEquals(5569041, vni(Frames.vxlan(5569041, Frames.arp())));
        assertEquals(0, vni(Frames.vxlan(0, Frames.arp())));
        assertEquals(Vxlan.MAX_VNI, vni(Frames.vxlan(Vxlan.MAX_VNI, Frames.arp())));
    }

    @Test
    void ignoresReservedBits() {
        byte[] d = Frames.vxlan(100, Frames.arp());
        d[0] = (byte) 0xFF; // every flag bit
        d[1] = 0x12;
        d[2] = 0x34;
        d[3] = 0x56;
        d[7] = (byte) 0x9A; // the reserved byte after the VNI
        assertEquals(100, vni(d));
    }

    @Test
    void withoutTheIFlagIsADecapError() {
        byte[] d = Frames.vxlan(100, Frames.arp());
        d[0] = (byte) 0xF7; // all flags but I
        assertEquals(Vxlan.DECAP_ERROR, vni(d));
    }

    @Test
    void tooShortForVxlanPlusEthernetIsADecapError() {
        byte[] d = Frames.vxlan(100, new byte[14]);
        assertEquals(100, vni(d), "8 + 14 bytes is the smallest valid datagram");
        assertEquals(Vxlan.DECAP_ERROR, vni(java.util.Arrays.copyOf(d, 21)));
        assertEquals(Vxlan.DECAP_ERROR, vni(java.util.Arrays.copyOf(d, 8)));
        assertEquals(Vxlan.DECAP_ERROR, vni(new byte[0]));
    }

    @Test
    void readsInPlaceAtAnOffset() {
        byte[] d = Frames.vxlan(4242, Frames.arp());
        byte[] padded = new byte[d.length + 10];
        System.arraycopy(d, 0, padded, 5, d.length);
        assertEquals(4242, Vxlan.vni(Unpooled.wrappedBuffer(padded), 5, d.length));
    }
}
