package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.vxdump.metrics.LongCounter;
import java.lang.invoke.VarHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A flyweight over a {@code TPACKET_V3} ring's memory, in the kernel's layout (Linux UAPI
 * {@code struct tpacket_block_desc}, {@code struct tpacket3_hdr} and the {@code sockaddr_ll} after
 * it): whether the kernel has handed a block over, its frames one by one, and giving it back. For
 * each frame it reads the IP and UDP headers in place and runs the packet path on the payload where
 * it lies. Nothing is copied or allocated. {@link #writeBlock} lays a block out as the kernel
 * would, for the tests and the benchmark of this loop.
 */
final class RingBlocks {
    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    private static final int BLOCK_STATUS = 8;
    private static final int BLOCK_PACKETS = 12;
    private static final int BLOCK_FIRST = 16;
    /** Where the first frame starts in a block the kernel fills (after the 48-byte descriptor). */
    private static final int FIRST_FRAME = 48;
    private static final int FRAME_NEXT = 0;
    private static final int FRAME_SEC = 4;
    private static final int FRAME_NSEC = 8;
    private static final int FRAME_SNAPLEN = 12;
    private static final int FRAME_LEN = 16;
    private static final int FRAME_MAC = 24;
    private static final int FRAME_NET = 26;
    /** The sockaddr_ll after the 48-byte frame header: its sll_pkttype. */
    private static final int FRAME_PKTTYPE = 48 + 10;
    /** Frame header + sockaddr_ll, aligned: where a SOCK_DGRAM ring puts the IP header. */
    private static final int FRAME_DATA = 48 + 32;
    static final int PACKET_HOST = 0;
    static final int PACKET_OTHERHOST = 3;
    static final int PACKET_OUTGOING = 4;

    private final ByteBuf ring;
    private final boolean geneve;
    private final LongCounter received;
    /** The listener's address; {@code any}: every address of this host. */
    private final boolean any;
    private final boolean acceptV4;
    private final boolean acceptV6;
    private final int local4;
    private final long local6High;
    private final long local6Low;

    /**
     * @param local    the listener's address: frames for another address are not its datagrams
     * @param received the listener's per-thread count of datagrams read
     */
    RingBlocks(ByteBuf ring, InetAddress local, boolean geneve, LongCounter received) {
        this.ring = ring;
        this.geneve = geneve;
        this.received = received;
        this.any = local.isAnyLocalAddress();
        this.acceptV6 = local instanceof Inet6Address;
        this.acceptV4 = local instanceof Inet4Address || (any && acceptV6); // [::] is dual-stack, as a socket
        byte[] a = local.getAddress();
        this.local4 = local instanceof Inet4Address ? (int) be(a, 0, 4) : 0;
        this.local6High = local instanceof Inet6Address ? be(a, 0, 8) : 0;
        this.local6Low = local instanceof Inet6Address ? be(a, 8, 8) : 0;
    }

    private static long be(byte[] b, int from, int n) {
        long v = 0;
        for (int i = from; i < from + n; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /** True when the kernel has handed the block at {@code base} over; its contents are then visible. */
    boolean handedOver(int base) {
        if ((ring.getIntLE(base + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
            return false;
        }
        VarHandle.acquireFence(); // the block's contents are the kernel's before its status says ours
        return true;
    }

    /** Packets in the block at {@code base}: for the block the kernel fills, what it holds so far. */
    int packets(int base) {
        return ring.getIntLE(base + BLOCK_PACKETS);
    }

    /**
     * Gives the block back to the kernel. Its packet count is zeroed first, so that a block the
     * kernel has not reopened yet reads 0 ({@link #packets}).
     */
    void giveBack(int base) {
        ring.setIntLE(base + BLOCK_PACKETS, 0);
        VarHandle.releaseFence(); // done with the contents before the kernel may refill them
        ring.setIntLE(base + BLOCK_STATUS, TP_STATUS_KERNEL);
    }

    /** Runs the packet path on every frame of the handed-over block at {@code base}. */
    void read(int base, DatagramProcessor p) {
        int count = ring.getIntLE(base + BLOCK_PACKETS);
        int frame = base + ring.getIntLE(base + BLOCK_FIRST);
        for (int i = 0; i < count; i++) {
            readFrame(frame, p);
            frame += ring.getIntLE(frame + FRAME_NEXT);
        }
    }

    /**
     * One datagram: its sender, length and receive time from the IP and UDP headers and the frame
     * header. A frame sent by this host (loopback shows each packet twice), for another host, or
     * for another address of this host is not the listener's, and is skipped uncounted.
     */
    private void readFrame(int frame, DatagramProcessor p) {
        int kind = ring.getByte(frame + FRAME_PKTTYPE);
        if (kind == PACKET_OUTGOING || kind == PACKET_OTHERHOST) {
            return;
        }
        int captured = ring.getIntLE(frame + FRAME_SNAPLEN);
        int ip = frame + (ring.getShortLE(frame + FRAME_NET) & 0xFFFF);
        long at = (ring.getIntLE(frame + FRAME_SEC) & 0xFFFFFFFFL) * 1_000_000_000L + ring.getIntLE(frame + FRAME_NSEC);
        int version = (ring.getByte(ip) & 0xFF) >>> 4;
        boolean v4 = version == 4;
        int header;
        int s4 = 0;
        long hi = 0;
        long lo = 0;
        if (v4) {
            if (!acceptV4 || (!any && local4 != ring.getInt(ip + 16))) {
                return;
            }
            header = (ring.getByte(ip) & 0x0F) * 4;
            s4 = ring.getInt(ip + 12);
        } else if (version == 6) {
            if (!acceptV6 || (!any && (local6High != ring.getLong(ip + 24) || local6Low != ring.getLong(ip + 32)))) {
                return;
            }
            header = 40;
            hi = ring.getLong(ip + 8);
            lo = ring.getLong(ip + 16);
        } else {
            return;
        }
        received.increment();
        int udp = ip + header;
        // The UDP length says how long the datagram was; what the frame holds of it may be less
        // (a datagram longer than a block is cut to it): the packet path counts that as truncated.
        int wire = header >= 20 && captured >= header + 8 ? (ring.getShort(udp + 4) & 0xFFFF) - 8 : -1;
        int length = wire < 0 ? 0 : Math.min(Math.min(wire, captured - header - 8), ReceiveSettings.MAX_DATAGRAM);
        if (wire < 0) {
            wire = 0; // no UDP datagram to read: a decap error to the packet path
        }
        if (geneve) {
            p.processGeneve(ring, udp + 8, length, wire, v4, s4, hi, lo, at);
        } else {
            p.process(ring, udp + 8, length, wire, v4, s4, hi, lo, at);
        }
    }

    /**
     * Runs {@code calls} blocks of the warm-up's {@code payloads} (VXLAN datagrams, as IPv4/UDP to
     * 127.0.0.1) through the frame loop into {@code p}, in memory of the real ring's kind: the
     * throwaway ring of the warm-up hands over too few blocks for C2 to compile {@link #read}
     * (it was compiled on the receive core in the first 100 ms of the yardstick's load, while the
     * 64 MiB ring overflowed: bench/README, issue 17 step 8). Returns the datagrams handed over.
     */
    static long warmUp(DatagramProcessor p, java.util.List<byte[]> payloads, int calls) {
        int perBlock = Math.min(8, payloads.size());
        byte[][] packets = new byte[perBlock][];
        for (int i = 0; i < perBlock; i++) {
            packets[i] = ipv4Udp(payloads.get(i));
        }
        long[] nanos = new long[perBlock];
        java.util.Arrays.fill(nanos, System.currentTimeMillis() * 1_000_000L);
        ByteBuf memory = io.netty.buffer.Unpooled.wrappedBuffer(java.nio.ByteBuffer.allocateDirect(64 << 10));
        writeBlock(memory, 0, packets, nanos, new int[perBlock], 65536);
        RingBlocks blocks = new RingBlocks(memory, InetAddress.getLoopbackAddress(), false, new LongCounter());
        for (int i = 0; i < calls; i++) {
            if (blocks.handedOver(0)) {
                blocks.read(0, p);
            }
            if ((i & 127) == 127) {
                p.tick();
            }
        }
        return (long) calls * perBlock;
    }

    /** {@code payload} in IPv4 and UDP, from 127.0.0.1 to 127.0.0.1:4789. */
    private static byte[] ipv4Udp(byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putInt(0).put((byte) 64)
                .put((byte) 17).putShort((short) 0).putInt(0x7F000001).putInt(0x7F000001);
        b.putShort((short) 49152).putShort((short) 4789).putShort((short) (8 + payload.length)).putShort((short) 0);
        return b.put(payload).array();
    }

    /**
     * Lays out a handed-over block at {@code base} as the kernel fills a SOCK_DGRAM ring: one
     * frame per IP packet in {@code packets} (each from its IP header on), stamped {@code nanos[i]},
     * of kind {@code kinds[i]} ({@link #PACKET_HOST}, ...), cut to {@code snaplen} bytes where it
     * is longer. For tests and the benchmark of the frame loop.
     */
    static void writeBlock(ByteBuf ring, int base, byte[][] packets, long[] nanos, int[] kinds, int snaplen) {
        int frame = base + FIRST_FRAME;
        for (int i = 0; i < packets.length; i++) {
            int kept = Math.min(packets[i].length, snaplen);
            int next = (FRAME_DATA + kept + 15) & ~15;
            ring.setIntLE(frame + FRAME_NEXT, i + 1 < packets.length ? next : 0);
            ring.setIntLE(frame + FRAME_SEC, (int) (nanos[i] / 1_000_000_000L));
            ring.setIntLE(frame + FRAME_NSEC, (int) (nanos[i] % 1_000_000_000L));
            ring.setIntLE(frame + FRAME_SNAPLEN, kept);
            ring.setIntLE(frame + FRAME_LEN, packets[i].length);
            ring.setShortLE(frame + FRAME_MAC, FRAME_DATA);
            ring.setShortLE(frame + FRAME_NET, FRAME_DATA);
            ring.setByte(frame + FRAME_PKTTYPE, kinds[i]);
            ring.setBytes(frame + FRAME_DATA, packets[i], 0, kept);
            frame += next;
        }
        ring.setIntLE(base + BLOCK_PACKETS, packets.length);
        ring.setIntLE(base + BLOCK_FIRST, FIRST_FRAME);
        ring.setIntLE(base + BLOCK_STATUS, TP_STATUS_USER);
    }
}
