package io.vxdump.packet;

import io.netty.buffer.ByteBuf;

/**
 * A flyweight view of one inner Ethernet frame: L2 to L4 fields read in place, never copied.
 *
 * <p>One instance per receive thread is re-pointed at each frame with {@link #wrap}; nothing is
 * allocated. Fields the frame is too short to hold are reported as absent ({@code -1} or
 * {@code false}) rather than guessed: a truncated frame (the mirror session's "packet length"
 * option) keeps whatever headers it still carries.
 */
public final class InnerFrame {
    /** Largest IP-derived length we trust; beyond it the header is nonsense. */
    private static final int MAX_DECLARED_LENGTH = 0xFFFF + 40 + 14 + 8;

    private ByteBuf buf;
    private int offset;
    private int length;

    private int etherType;
    private int vlanCount;
    private int l3Offset;
    private int ipVersion;
    private int declaredLength;
    private int protocol;
    private boolean fragment;
    private boolean firstFragment;
    private int l4Offset;
    private int sourcePort;
    private int destinationPort;
    private int ipv4Source;
    private int ipv4Destination;
    private long ipv6SourceHigh;
    private long ipv6SourceLow;
    private long ipv6DestinationHigh;
    private long ipv6DestinationLow;

    /**
     * Points this view at the frame of {@code length} bytes at {@code offset} and parses its
     * headers. The frame must be at least {@link Ethernet#HEADER_LENGTH} bytes (decap checks it).
     */
    public InnerFrame wrap(ByteBuf buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        reset();
        parseEthernet();
        return this;
    }

    private void reset() {
        etherType = -1;
        vlanCount = 0;
        l3Offset = -1;
        ipVersion = 0;
        declaredLength = -1;
        protocol = -1;
        fragment = false;
        firstFragment = false;
        l4Offset = -1;
        sourcePort = -1;
        destinationPort = -1;
        ipv4Source = 0;
        ipv4Destination = 0;
        ipv6SourceHigh = 0;
        ipv6SourceLow = 0;
        ipv6DestinationHigh = 0;
        ipv6DestinationLow = 0;
    }

    private void parseEthernet() {
        int pos = 12;
        int type = u16(pos);
        pos += 2;
        while ((type == Ethernet.TYPE_VLAN || type == Ethernet.TYPE_QINQ) && vlanCount < Ethernet.MAX_VLAN_TAGS) {
            if (pos + Ethernet.VLAN_TAG_LENGTH > length) {
                return; // truncated inside a tag: EtherType unknown
            }
            type = u16(pos + 2);
            pos += Ethernet.VLAN_TAG_LENGTH;
            vlanCount++;
        }
        etherType = type;
        if (type == Ethernet.TYPE_IPV4) {
            parseIpv4(pos);
        } else if (type == Ethernet.TYPE_IPV6) {
            parseIpv6(pos);
        }
    }

    private void parseIpv4(int pos) {
        if (pos + 20 > length) {
            return;
        }
        int versionIhl = u8(pos);
        int headerLength = (versionIhl & 0x0F) * 4;
        if ((versionIhl >>> 4) != 4 || headerLength < 20) {
            return;
        }
        l3Offset = pos;
        ipVersion = 4;
        int totalLength = u16(pos + 2);
        if (totalLength >= headerLength) {
            declaredLength = pos + totalLength;
        }
        int flagsOffset = u16(pos + 6);
        int fragmentOffset = flagsOffset & 0x1FFF;
        boolean moreFragments = (flagsOffset & 0x2000) != 0;
        fragment = moreFragments || fragmentOffset != 0;
        firstFragment = fragmentOffset == 0;
        protocol = u8(pos + 9);
        ipv4Source = buf.getInt(offset + pos + 12);
        ipv4Destination = buf.getInt(offset + pos + 16);
        if (firstFragment) {
            parsePorts(pos + headerLength);
        }
    }

    private void parseIpv6(int pos) {
        if (pos + 40 > length || (u8(pos) >>> 4) != 6) {
            return;
        }
        l3Offset = pos;
        ipVersion = 6;
        int payloadLength = u16(pos + 4);
        if (payloadLength != 0) { // 0 announces a jumbogram: the length is elsewhere
            declaredLength = pos + 40 + payloadLength;
        }
        int base = offset + pos;
        ipv6SourceHigh = buf.getLong(base + 8);
        ipv6SourceLow = buf.getLong(base + 16);
        ipv6DestinationHigh = buf.getLong(base + 24);
        ipv6DestinationLow = buf.getLong(base + 32);
        firstFragment = true;
        int next = u8(pos + 6);
        int at = pos + 40;
        // Walk the extension headers; stop where the frame ends (truncated) or at the upper layer.
        while (true) {
            if (IpProtocol.isGenericIpv6Extension(next)) {
                if (at + 8 > length) {
                    protocol = next;
                    return;
                }
                int following = u8(at);
                at += (u8(at + 1) + 1) * 8;
                next = following;
            } else if (next == IpProtocol.AH) {
                if (at + 8 > length) {
                    protocol = next;
                    return;
                }
                int following = u8(at);
                at += (u8(at + 1) + 2) * 4;
                next = following;
            } else if (next == IpProtocol.IPV6_FRAG) {
                if (at + 8 > length) {
                    protocol = next;
                    return;
                }
                int offsetFlags = u16(at + 2);
                fragment = true;
                firstFragment = (offsetFlags & 0xFFF8) == 0;
                next = u8(at);
                at += 8;
            } else {
                break;
            }
        }
        protocol = next;
        if (firstFragment) {
            parsePorts(at);
        }
    }

    private void parsePorts(int pos) {
        if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
            return;
        }
        l4Offset = pos;
        if (pos + 4 <= length) {
            sourcePort = u16(pos);
            destinationPort = u16(pos + 2);
        }
    }

    private int u8(int pos) {
        return buf.getUnsignedByte(offset + pos);
    }

    private int u16(int pos) {
        return buf.getUnsignedShort(offset + pos);
    }

    /** Bytes of the frame as it arrived. */
    public int length() {
        return length;
    }

    /**
     * The frame's original length: the length its IP header announces when the frame is shorter
     * (a truncated mirror packet), otherwise the bytes received.
     */
    public int originalLength() {
        return declaredLength > length && declaredLength <= MAX_DECLARED_LENGTH ? declaredLength : length;
    }

    /** True when the frame is shorter than its IP header says. */
    public boolean truncated() {
        return declaredLength > length && declaredLength <= MAX_DECLARED_LENGTH;
    }

    /** EtherType after any VLAN tags, or -1 when the frame ends inside a tag. */
    public int etherType() {
        return etherType;
    }

    public int vlanCount() {
        return vlanCount;
    }

    /** 4 or 6 when an IP header was parsed completely, else 0. */
    public int ipVersion() {
        return ipVersion;
    }

    /** Offset of the IP header from the frame start, or -1. */
    public int l3Offset() {
        return l3Offset;
    }

    /** Upper-layer protocol (after IPv6 extension headers), or -1 for non-IP frames. */
    public int protocol() {
        return protocol;
    }

    /** True for any fragment of a fragmented datagram, the first included. */
    public boolean fragment() {
        return fragment;
    }

    /** True when this IP packet carries the start of its payload (fragment offset 0). */
    public boolean firstFragment() {
        return firstFragment;
    }

    /** Offset of the TCP/UDP header from the frame start, or -1. */
    public int l4Offset() {
        return l4Offset;
    }

    /** TCP/UDP source port, or -1 when absent (other protocol, later fragment, truncated). */
    public int sourcePort() {
        return sourcePort;
    }

    /** TCP/UDP destination port, or -1 when absent. */
    public int destinationPort() {
        return destinationPort;
    }

    public int ipv4Source() {
        return ipv4Source;
    }

    public int ipv4Destination() {
        return ipv4Destination;
    }

    public long ipv6SourceHigh() {
        return ipv6SourceHigh;
    }

    public long ipv6SourceLow() {
        return ipv6SourceLow;
    }

    public long ipv6DestinationHigh() {
        return ipv6DestinationHigh;
    }

    public long ipv6DestinationLow() {
        return ipv6DestinationLow;
    }
}
