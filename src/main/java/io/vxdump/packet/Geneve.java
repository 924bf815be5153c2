package io.vxdump.packet;

import io.netty.buffer.ByteBuf;

/**
 * A GENEVE header (RFC 8926) and what it carries, read in place: a flyweight one receive thread
 * reuses for every datagram, so decoding allocates nothing.
 *
 * <p>Two payloads are captured. Transparent Ethernet bridging (0x6558): the frame follows the
 * header and the session is the GENEVE VNI. An IPv4 or IPv6 packet carrying UDP to port 4789 with
 * a VXLAN header, as a Gateway Load Balancer hands Traffic Mirroring's packets to its targets
 * ({@code geneve+vxlan}): the frame follows that inner VXLAN header, the session is the VXLAN VNI,
 * and the mirror source is the inner IP source (the monitored ENI), not the GWLB's address.
 * Options are skipped by their total length; critical options (C bit) do not stop a capture
 * target. OAM packets (O bit) are reported as such and not captured.
 */
public final class Geneve {
    /** Fixed part of the GENEVE header, before options. */
    public static final int HEADER_LENGTH = 8;
    /** Returned by {@link #decode} for a datagram that is not capturable GENEVE. */
    public static final int DECAP_ERROR = -1;
    /** Returned by {@link #decode} for an OAM packet (O bit): counted, not written. */
    public static final int OAM = -2;

    static final int ETHERNET_BRIDGING = 0x6558;
    static final int IPV4 = 0x0800;
    static final int IPV6 = 0x86DD;
    private static final int VXLAN_PORT = 4789;
    private static final int UDP = 17;

    private int frameIndex;
    private int frameLength;
    private boolean carriesVxlan;
    private boolean mirrorSourceIsIpv4;
    private int mirrorSource4;
    private long mirrorSource6High;
    private long mirrorSource6Low;

    /**
     * Decodes the GENEVE datagram of {@code length} bytes at {@code offset}.
     *
     * @return the session's VNI (the GENEVE VNI for Ethernet, the inner VXLAN VNI for
     *         geneve+vxlan), {@link #DECAP_ERROR} or {@link #OAM}
     */
    public int decode(ByteBuf buf, int offset, int length) {
        if (length < HEADER_LENGTH) {
            return DECAP_ERROR;
        }
        int first = buf.getUnsignedByte(offset);
        if ((first >>> 6) != 0) {
            return DECAP_ERROR; // only version 0 exists
        }
        int headerLength = HEADER_LENGTH + (first & 0x3F) * 4;
        if (headerLength > length) {
            return DECAP_ERROR; // options run past the end
        }
        if ((buf.getUnsignedByte(offset + 1) & 0x80) != 0) {
            return OAM;
        }
        int protocol = buf.getUnsignedShort(offset + 2);
        int payload = offset + headerLength;
        int payloadLength = length - headerLength;
        if (protocol == ETHERNET_BRIDGING) {
            if (payloadLength < Ethernet.HEADER_LENGTH) {
                return DECAP_ERROR;
            }
            carriesVxlan = false;
            frameIndex = payload;
            frameLength = payloadLength;
            return buf.getUnsignedMedium(offset + 4);
        }
        if (protocol == IPV4) {
            return innerIpv4(buf, payload, payloadLength);
        }
        if (protocol == IPV6) {
            return innerIpv6(buf, payload, payloadLength);
        }
        return DECAP_ERROR;
    }

    private int innerIpv4(ByteBuf buf, int ip, int length) {
        if (length < 20) {
            return DECAP_ERROR;
        }
        int versionIhl = buf.getUnsignedByte(ip);
        int ihl = (versionIhl & 0x0F) * 4;
        int total = buf.getUnsignedShort(ip + 2);
        if ((versionIhl >>> 4) != 4 || ihl < 20 || buf.getUnsignedByte(ip + 9) != UDP
                || (buf.getUnsignedShort(ip + 6) & 0x3FFF) != 0) { // a fragment cannot be decapsulated
            return DECAP_ERROR;
        }
        // The inner packet ends where its IPv4 total length says, if that is within the datagram.
        int end = total >= ihl && total <= length ? total : length;
        int vni = innerVxlan(buf, ip + ihl, end - ihl);
        if (vni >= 0) {
            mirrorSourceIsIpv4 = true;
            mirrorSource4 = buf.getInt(ip + 12);
        }
        return vni;
    }

    private int innerIpv6(ByteBuf buf, int ip, int length) {
        if (length < 40 || (buf.getUnsignedByte(ip) >>> 4) != 6 || buf.getUnsignedByte(ip + 6) != UDP) {
            return DECAP_ERROR;
        }
        int payload = buf.getUnsignedShort(ip + 4);
        int end = payload <= length - 40 ? 40 + payload : length;
        int vni = innerVxlan(buf, ip + 40, end - 40);
        if (vni >= 0) {
            mirrorSourceIsIpv4 = false;
            mirrorSource6High = buf.getLong(ip + 8);
            mirrorSource6Low = buf.getLong(ip + 16);
        }
        return vni;
    }

    /** UDP to 4789, then VXLAN with the I flag, then at least an Ethernet header. */
    private int innerVxlan(ByteBuf buf, int udp, int length) {
        if (length < 8 + Vxlan.MIN_DATAGRAM_LENGTH || buf.getUnsignedShort(udp + 2) != VXLAN_PORT) {
            return DECAP_ERROR;
        }
        int vni = Vxlan.vni(buf, udp + 8, length - 8);
        if (vni == Vxlan.DECAP_ERROR) {
            return DECAP_ERROR;
        }
        carriesVxlan = true;
        frameIndex = udp + 8 + Vxlan.HEADER_LENGTH;
        frameLength = length - 8 - Vxlan.HEADER_LENGTH;
        return vni;
    }

    /** Where the captured frame starts in the buffer (after the last decoded datagram). */
    public int frameIndex() {
        return frameIndex;
    }

    public int frameLength() {
        return frameLength;
    }

    /** True when the frame came inside VXLAN inside GENEVE (a GWLB's Traffic Mirroring packet). */
    public boolean carriesVxlan() {
        return carriesVxlan;
    }

    /** For geneve+vxlan: whether the mirror source (the inner IP source) is IPv4. */
    public boolean mirrorSourceIsIpv4() {
        return mirrorSourceIsIpv4;
    }

    /** For geneve+vxlan over IPv4: the mirror source address as an int. */
    public int mirrorSource4() {
        return mirrorSource4;
    }

    /** For geneve+vxlan over IPv6: the mirror source address, high 64 bits. */
    public long mirrorSource6High() {
        return mirrorSource6High;
    }

    /** For geneve+vxlan over IPv6: the mirror source address, low 64 bits. */
    public long mirrorSource6Low() {
        return mirrorSource6Low;
    }
}
