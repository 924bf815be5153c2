package io.vxdump.replay;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Wraps a VXLAN datagram as a Gateway Load Balancer hands Traffic Mirroring's packets to a target:
 * GENEVE (version 0, AWS-like options of class 0x0108: endpoint id, attachment id, flow cookie)
 * around IPv4 from the mirror source to the target, UDP from the inner flow's port to 4789, then
 * the VXLAN datagram. So a GWLB target can be tested without AWS.
 */
final class GwlbWrapper {
    /** GENEVE protocol type of an IPv4 payload. */
    private static final int IPV4 = 0x0800;
    private static final int VXLAN_PORT = 4789;
    /** Three options: 4-byte headers with 8, 8 and 4 bytes of data. */
    private static final int OPTIONS = 4 + 8 + 4 + 8 + 4 + 4;
    static final int OVERHEAD = 8 + OPTIONS + 20 + 8;

    private final int target;
    private final int geneveVni;

    /** @param target the address the inner IPv4 packet goes to (the GWLB's target); 0 when not IPv4 */
    GwlbWrapper(InetAddress target, int geneveVni) {
        this.target = target instanceof Inet4Address ? ByteBuffer.wrap(target.getAddress()).getInt() : 0;
        this.geneveVni = geneveVni;
    }

    byte[] wrap(Encapsulator.Datagram d) {
        byte[] vxlan = d.payload();
        ByteBuffer b = ByteBuffer.allocate(OVERHEAD + vxlan.length);
        b.put((byte) (OPTIONS / 4)).put((byte) 0).putShort((short) IPV4)
                .put((byte) (geneveVni >>> 16)).put((byte) (geneveVni >>> 8)).put((byte) geneveVni).put((byte) 0);
        long flow = d.sourcePort();
        b.putShort((short) 0x0108).put((byte) 1).put((byte) 2).putLong(0x0A0B0C0D00000000L | flow); // GWLBE endpoint id
        b.putShort((short) 0x0108).put((byte) 2).put((byte) 2).putLong(0x0102030400000000L);        // attachment id
        b.putShort((short) 0x0108).put((byte) 3).put((byte) 1).putInt((int) (flow * 0x9E3779B1L));   // flow cookie
        int ip = b.position();
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + 8 + vxlan.length)).putShort((short) 0)
                .putShort((short) 0x4000).put((byte) 64).put((byte) 17).putShort((short) 0)
                .putInt(d.mirrorSource()).putInt(target);
        b.putShort(ip + 10, checksum(b.array(), ip));
        b.putShort((short) d.sourcePort()).putShort((short) VXLAN_PORT).putShort((short) (8 + vxlan.length))
                .putShort((short) 0).put(vxlan);
        return b.array();
    }

    private static short checksum(byte[] a, int at) {
        int sum = 0;
        for (int i = at; i < at + 20; i += 2) {
            sum += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short) ~sum;
    }
}
