package io.vxdump.testing;

import java.nio.ByteBuffer;

/**
 * Builds Ethernet frames and VXLAN datagrams for tests and for the captures in pcaps/. Every field
 * is written by hand so that a test states exactly the bytes it sends.
 */
public final class Frames {
    public static final byte[] MAC_A = {0x02, 0, 0, 0, 0, 0x0a};
    public static final byte[] MAC_B = {0x02, 0, 0, 0, 0, 0x0b};

    private Frames() {
    }

    /** An Ethernet frame with optional VLAN tags (TPIDs given) around {@code payload}. */
    public static byte[] ethernet(int etherType, byte[] payload, int... vlanTpids) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlanTpids.length + payload.length);
        b.put(MAC_B).put(MAC_A);
        for (int i = 0; i < vlanTpids.length; i++) {
            b.putShort((short) vlanTpids[i]).putShort((short) (100 + i));
        }
        b.putShort((short) etherType).put(payload);
        return b.array();
    }

    /** An IPv4 packet: 20-byte header, then {@code l4}; {@code totalLength} -1 means the real length. */
    public static byte[] ipv4(int protocol, String src, String dst, byte[] l4, int flagsFragment, int totalLength) {
        ByteBuffer b = ByteBuffer.allocate(20 + l4.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (totalLength < 0 ? 20 + l4.length : totalLength));
        b.putShort((short) 0x1234).putShort((short) flagsFragment);
        b.put((byte) 64).put((byte) protocol).putShort((short) 0);
        b.put(addr4(src)).put(addr4(dst)).put(l4);
        byte[] out = b.array();
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((out[i] & 0xFF) << 8) | (out[i + 1] & 0xFF);
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        out[10] = (byte) (~sum >> 8);
        out[11] = (byte) ~sum;
        return out;
    }

    public static byte[] ipv4(int protocol, String src, String dst, byte[] l4) {
        return ipv4(protocol, src, dst, l4, 0, -1);
    }

    /** An IPv6 packet; {@code nextHeader} names the first header of {@code rest}. */
    public static byte[] ipv6(int nextHeader, String src, String dst, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(40 + rest.length);
        b.putInt(0x60000000).putShort((short) rest.length).put((byte) nextHeader).put((byte) 64);
        b.put(addr6(src)).put(addr6(dst)).put(rest);
        return b.array();
    }

    /** A TCP header (20 bytes, no options) and payload. */
    public static byte[] tcp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0);
        b.put((byte) 0x50).put((byte) 0x18).putShort((short) 65535).putInt(0).put(payload);
        return b.array();
    }

    /** A UDP header and payload (checksum 0). */
    public static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0);
        return b.put(payload).array();
    }

    /** An ICMP echo request. */
    public static byte[] icmpEcho(int seq, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 1).putShort((short) seq);
        return b.put(payload).array();
    }

    /** An IPv6 extension header with the generic layout, 8 bytes, followed by {@code rest}. */
    public static byte[] ipv6Extension(int nextHeader, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length);
        b.put((byte) nextHeader).put((byte) 0).put(new byte[6]).put(rest);
        return b.array();
    }

    /** An IPv6 fragment header (offset in 8-byte units) followed by {@code rest}. */
    public static byte[] ipv6Fragment(int nextHeader, int offsetUnits, boolean more, byte[] rest) {
        ByteBuffer b = ByteBuffer.allocate(8 + rest.length);
        b.put((byte) nextHeader).put((byte) 0).putShort((short) ((offsetUnits << 3) | (more ? 1 : 0))).putInt(7);
        return b.put(rest).array();
    }

    /** An ARP request frame. */
    public static byte[] arp() {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1);
        b.put(MAC_A).put(addr4("10.0.0.1")).put(new byte[6]).put(addr4("10.0.0.2"));
        return ethernet(0x0806, b.array());
    }

    /** A frame of {@code size} bytes: IPv4/UDP with a patterned payload. */
    public static byte[] sized(int size, int seq) {
        byte[] payload = new byte[size - 14 - 20 - 8];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (seq + i);
        }
        return ethernet(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", udp(40000 + (seq & 0xFF), 53, payload)));
    }

    /** {@code frame} cut to its first {@code length} bytes, as a mirror session's packet length does. */
    public static byte[] cut(byte[] frame, int length) {
        return java.util.Arrays.copyOf(frame, length);
    }

    /** A VXLAN datagram: the 8-byte header (I flag, {@code vni}) and the frame. */
    public static byte[] vxlan(int vni, byte[] frame) {
        return ByteBuffer.allocate(8 + frame.length).putInt(0x08000000).putInt(vni << 8).put(frame).array();
    }

    public static byte[] addr4(String a) {
        String[] p = a.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]),
                (byte) Integer.parseInt(p[2]), (byte) Integer.parseInt(p[3])};
    }

    public static byte[] addr6(String a) {
        try {
            return java.net.InetAddress.getByName(a).getAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(a, e);
        }
    }

    /**
     * A GENEVE datagram (RFC 8926) as a Gateway Load Balancer sends one: version 0, the flags byte
     * ({@code 0x80} OAM, {@code 0x40} critical options), the protocol type, the VNI, then
     * {@code options} (a multiple of 4 bytes) and the payload.
     */
    public static byte[] geneve(int flags, int protocol, int vni, byte[] options, byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + options.length + payload.length);
        b.put((byte) (options.length / 4)).put((byte) flags).putShort((short) protocol)
                .put((byte) (vni >> 16)).put((byte) (vni >> 8)).put((byte) vni).put((byte) 0)
                .put(options).put(payload);
        return b.array();
    }

    /** AWS-like GWLB options (class 0x0108): endpoint id, attachment id, flow cookie. */
    public static byte[] awsGeneveOptions() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 8 + 4 + 8 + 4 + 4);
        b.putShort((short) 0x0108).put((byte) 1).put((byte) 2).putLong(0x0123456789ABCDEFL);
        b.putShort((short) 0x0108).put((byte) 2).put((byte) 2).putLong(0x1111222233334444L);
        b.putShort((short) 0x0108).put((byte) 3).put((byte) 1).putInt(0x55667788);
        return b.array();
    }

    /** What a GWLB hands a target for Traffic Mirroring: GENEVE(IPv4(mirror source → target, UDP 4789, VXLAN(frame))). */
    public static byte[] gwlbMirror(String mirrorSource, int vxlanVni, int geneveVni, byte[] frame) {
        byte[] inner = ipv4(17, mirrorSource, "10.0.9.9", udp(49152 + (vxlanVni & 0xFFF), 4789, vxlan(vxlanVni, frame)));
        return geneve(0, 0x0800, geneveVni, awsGeneveOptions(), inner);
    }
}
