package io.vxdump.replay;

import io.vxdump.capture.CapturedPacket;
import io.netty.buffer.Unpooled;
import io.vxdump.packet.Ethernet;
import io.vxdump.packet.InnerFrame;
import io.vxdump.packet.IpProtocol;
import io.vxdump.packet.Vxlan;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/**
 * Turns captured packets into the UDP payloads a mirror source would send: a captured VXLAN
 * datagram as it is (VNI rewritten on request), any other Ethernet frame behind a new VXLAN header,
 * a raw-IP packet behind a synthetic Ethernet header too. The UDP source port follows the inner
 * flow, as AWS's does, so a receiver's SO_REUSEPORT keeps each flow on one socket.
 */
final class Encapsulator {
    /** Largest UDP payload over IPv4. */
    static final int MAX_PAYLOAD = 65_507;
    static final int LINKTYPE_ETHERNET = 1;
    static final int LINKTYPE_RAW = 101;
    static final int LINKTYPE_IPV4 = 228;
    static final int LINKTYPE_IPV6 = 229;
    private static final byte[] SYNTHETIC_MACS = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};

    /** Why a packet was not sent; the names are what the summary prints. */
    enum Skip {
        TOO_LARGE("too large for one UDP datagram"),
        EMPTY("empty (zero-length records)"),
        LINK_TYPE("of a link type that is neither Ethernet nor raw IP"),
        NOT_IP("raw-IP records that hold no IP packet");

        final String words;

        Skip(String words) {
            this.words = words;
        }
    }

    /**
     * A datagram to send.
     *
     * @param mirrorSource the IPv4 address that mirrored it, as an int: a captured VXLAN datagram's
     *                     outer source, else the frame's own IPv4 source (0 when it has none)
     */
    record Datagram(byte[] payload, int sourcePort, int mirrorSource) {
    }

    private final int vxlanPort;
    private final Integer vni;
    private final Integer sourcePort;
    private final InnerFrame frame = new InnerFrame();
    private final Map<Skip, Long> skipped = new EnumMap<>(Skip.class);

    /**
     * @param vxlanPort  UDP port that marks captured VXLAN traffic
     * @param vni        VNI to write (rewrite for VXLAN captures); null keeps theirs and wraps others in VNI 1
     * @param sourcePort pinned UDP source port, or null to follow the flow
     */
    Encapsulator(int vxlanPort, Integer vni, Integer sourcePort) {
        this.vxlanPort = vxlanPort;
        this.vni = vni;
        this.sourcePort = sourcePort;
    }

    /** The datagram for {@code p}, or null when it is skipped (and counted). */
    Datagram encapsulate(CapturedPacket p) {
        if (p.data().length == 0) {
            return skip(Skip.EMPTY); // a bare VXLAN header would reach the target as a decap error
        }
        byte[] inner;
        switch (p.linkType()) {
            case LINKTYPE_ETHERNET -> {
                byte[] vxlan = vxlanPayload(p.data());
                if (vxlan != null) {
                    int outerSource = frame.ipVersion() == 4 ? frame.ipv4Source() : 0;
                    if (vni != null) {
                        vxlan[4] = (byte) (vni >>> 16);
                        vxlan[5] = (byte) (vni >>> 8);
                        vxlan[6] = vni.byteValue();
                    }
                    return datagram(vxlan, Vxlan.HEADER_LENGTH, outerSource);
                }
                inner = p.data();
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> {
                inner = withEthernet(p.data());
                if (inner == null) {
                    return skip(Skip.NOT_IP);
                }
            }
            default -> {
                return skip(Skip.LINK_TYPE);
            }
        }
        byte[] out = new byte[Vxlan.HEADER_LENGTH + inner.length];
        ByteBuffer.wrap(out).putInt(0x08000000).putInt((vni == null ? 1 : vni) << 8).put(inner);
        return datagram(out, Vxlan.HEADER_LENGTH, -1);
    }

    /** Counts a datagram that a further wrapping made too large to send. */
    void tooLarge() {
        skip(Skip.TOO_LARGE);
    }

    /** Skips counted so far, by reason. */
    Map<Skip, Long> skipped() {
        return skipped;
    }

    /** @param mirrorSource the outer source of a captured VXLAN datagram, or -1: the inner frame's source */
    private Datagram datagram(byte[] payload, int innerOffset, int mirrorSource) {
        if (payload.length > MAX_PAYLOAD) {
            return skip(Skip.TOO_LARGE);
        }
        int port = sourcePort != null ? sourcePort : flowPort(payload, innerOffset);
        if (mirrorSource == -1) {
            mirrorSource = payload.length - innerOffset >= Ethernet.HEADER_LENGTH
                    && frame.wrap(Unpooled.wrappedBuffer(payload), innerOffset, payload.length - innerOffset).ipVersion() == 4
                    ? frame.ipv4Source() : 0;
        }
        return new Datagram(payload, port, mirrorSource);
    }

    private Datagram skip(Skip why) {
        skipped.merge(why, 1L, Long::sum);
        return null;
    }

    /** The UDP payload when {@code frame} is Ethernet/IP/UDP to the VXLAN port, else null. */
    private byte[] vxlanPayload(byte[] data) {
        if (data.length < Ethernet.HEADER_LENGTH) {
            return null;
        }
        frame.wrap(Unpooled.wrappedBuffer(data), 0, data.length);
        if (frame.protocol() != IpProtocol.UDP || frame.destinationPort() != vxlanPort || frame.l4Offset() + 8 > data.length) {
            return null;
        }
        int udpLength = ((data[frame.l4Offset() + 4] & 0xFF) << 8) | (data[frame.l4Offset() + 5] & 0xFF);
        int start = frame.l4Offset() + 8;
        int end = udpLength >= 8 ? Math.min(data.length, frame.l4Offset() + udpLength) : data.length;
        // GSO/BIG TCP captures carry UDP length 0 or a wrong one for huge frames: take what was captured.
        if (udpLength == 0) {
            end = data.length;
        }
        if (end - start < Vxlan.HEADER_LENGTH) {
            return null;
        }
        byte[] out = new byte[end - start];
        System.arraycopy(data, start, out, 0, out.length);
        return out;
    }

    private static byte[] withEthernet(byte[] ip) {
        if (ip.length == 0) {
            return null;
        }
        int version = (ip[0] & 0xF0) >>> 4;
        int type = version == 4 ? Ethernet.TYPE_IPV4 : version == 6 ? Ethernet.TYPE_IPV6 : -1;
        if (type < 0) {
            return null;
        }
        byte[] out = new byte[Ethernet.HEADER_LENGTH + ip.length];
        ByteBuffer.wrap(out).put(SYNTHETIC_MACS).putShort((short) type).put(ip);
        return out;
    }

    /** 49152..65535 from the inner flow's addresses, protocol and ports. */
    private int flowPort(byte[] payload, int innerOffset) {
        int h;
        if (payload.length - innerOffset < Ethernet.HEADER_LENGTH) {
            h = 0;
        } else {
            InnerFrame f = frame.wrap(Unpooled.wrappedBuffer(payload), innerOffset, payload.length - innerOffset);
            h = f.etherType();
            if (f.ipVersion() == 4) {
                h = 31 * (31 * h + f.ipv4Source()) + f.ipv4Destination();
            } else if (f.ipVersion() == 6) {
                h = 31 * (31 * h + Long.hashCode(f.ipv6SourceHigh() ^ f.ipv6SourceLow()))
                        + Long.hashCode(f.ipv6DestinationHigh() ^ f.ipv6DestinationLow());
            }
            h = 31 * (31 * (31 * h + f.protocol()) + f.sourcePort()) + f.destinationPort();
        }
        h ^= h >>> 16;
        h *= 0x45D9F3B;
        h ^= h >>> 16;
        return 49152 + (h & 0x3FFF);
    }
}
