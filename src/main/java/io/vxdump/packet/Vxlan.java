package io.vxdump.packet;

import io.netty.buffer.ByteBuf;

/**
 * The VXLAN header (RFC 7348): flags byte, 3 reserved bytes, 24-bit VNI, 1 reserved byte.
 *
 * <p>Only the I flag (0x08) is required. Reserved bits are ignored, because real encapsulators
 * set them (tcpdump's own test captures carry non-zero reserved bytes).
 */
public final class Vxlan {
    /** Bytes of the VXLAN header in front of the inner Ethernet frame. */
    public static final int HEADER_LENGTH = 8;
    /** Smallest datagram that can hold a VXLAN header and an Ethernet header. */
    public static final int MIN_DATAGRAM_LENGTH = HEADER_LENGTH + Ethernet.HEADER_LENGTH;
    /** Returned by {@link #vni} for a datagram that is not VXLAN. */
    public static final int DECAP_ERROR = -1;
    /** Largest VNI (24 bits). */
    public static final int MAX_VNI = 0xFFFFFF;

    private static final int I_FLAG = 0x08;

    private Vxlan() {
    }

    /**
     * Reads the VNI of the VXLAN datagram at {@code offset}, or returns {@link #DECAP_ERROR} when the
     * datagram is too short for VXLAN + Ethernet or lacks the I flag.
     */
    public static int vni(ByteBuf buf, int offset, int length) {
        if (length < MIN_DATAGRAM_LENGTH || (buf.getByte(offset) & I_FLAG) == 0) {
            return DECAP_ERROR;
        }
        return buf.getUnsignedMedium(offset + 4);
    }
}
