package io.vxdump.receive;

import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic BPF programs for the receive path's sockets, built as the kernel takes them: an array of
 * {@code struct sock_filter} and the {@code struct sock_fprog} that points at it, in one direct
 * buffer (kept alive by the caller until {@code setsockopt} returns).
 */
final class RingFilter {
    private static final int LD_H_ABS = 0x28;
    private static final int LD_B_ABS = 0x30;
    private static final int LD_H_IND = 0x48;
    private static final int LDX_B_MSH = 0xb1;
    private static final int JEQ_K = 0x15;
    private static final int JSET_K = 0x45;
    private static final int RET_K = 0x06;
    /** SKF_AD_OFF + SKF_AD_PROTOCOL: the packet's ethertype (skb->protocol), in host order. */
    private static final int AD_PROTOCOL = 0xFFFFF000;
    /** SKF_AD_OFF + SKF_AD_PKTTYPE: to this host, sent by it, for another host, ... */
    private static final int AD_PKTTYPE = 0xFFFFF004;
    private static final int PACKET_OTHERHOST = 3;
    private static final int PACKET_OUTGOING = 4;
    private static final int ETH_P_IP = 0x0800;
    private static final int ETH_P_IPV6 = 0x86DD;
    private static final int UDP = 17;
    /** Bytes the ring may take of one packet: all of it (the kernel cuts at the block's size). */
    private static final int WHOLE = 0x40000;

    private final ByteBuffer memory;

    private RingFilter(int[][] program) {
        memory = ByteBuffer.allocateDirect(16 + program.length * 8).order(ByteOrder.nativeOrder());
        long address = PlatformDependent.directBufferAddress(memory);
        memory.putShort(0, (short) program.length);
        memory.putLong(8, address + 16);
        for (int i = 0; i < program.length; i++) {
            int at = 16 + i * 8;
            memory.putShort(at, (short) program[i][0]);
            memory.put(at + 2, (byte) program[i][1]);
            memory.put(at + 3, (byte) program[i][2]);
            memory.putInt(at + 4, program[i][3]);
        }
    }

    /**
     * UDP datagrams to {@code port} over IPv4 (not a later fragment: it has no UDP header) or IPv6
     * (UDP as the first header), received by this host, for a packet socket of type SOCK_DGRAM,
     * whose packets start at the network header on every kind of link. tcpdump's {@code inbound
     * and udp dst port P} less the link-layer header. Sent packets are refused here as well as by
     * the fanout group's flag for it, which older kernels lack.
     */
    static RingFilter udpTo(int port) {
        return new RingFilter(new int[][] {
            {LD_H_ABS, 0, 0, AD_PKTTYPE},       // -3
            {JEQ_K, 16, 0, PACKET_OUTGOING},    // -2: loopback shows each packet twice → drop
            {JEQ_K, 15, 0, PACKET_OTHERHOST},   // -1: for another host's address → drop
            {LD_H_ABS, 0, 0, AD_PROTOCOL},      // 0
            {JEQ_K, 0, 4, ETH_P_IPV6},          // 1: IPv6 → 2, else → 6
            {LD_B_ABS, 0, 0, 6},                // 2: next header
            {JEQ_K, 0, 11, UDP},                // 3
            {LD_H_ABS, 0, 0, 42},               // 4: UDP destination port after a 40-byte header
            {JEQ_K, 8, 9, port},                // 5: → 14 accept, → 15 drop
            {JEQ_K, 0, 8, ETH_P_IP},            // 6
            {LD_B_ABS, 0, 0, 9},                // 7: protocol
            {JEQ_K, 0, 6, UDP},                 // 8
            {LD_H_ABS, 0, 0, 6},                // 9: flags and fragment offset
            {JSET_K, 4, 0, 0x1FFF},             // 10: a later fragment → drop
            {LDX_B_MSH, 0, 0, 0},               // 11: X = header length
            {LD_H_IND, 0, 0, 2},                // 12: UDP destination port
            {JEQ_K, 0, 1, port},                // 13
            {RET_K, 0, 0, WHOLE},               // 14
            {RET_K, 0, 0, 0},                   // 15
        });
    }

    /** Nothing: for the UDP socket that only holds the port while the ring reads its datagrams. */
    static RingFilter dropAll() {
        return new RingFilter(new int[][] {{RET_K, 0, 0, 0}});
    }

    /** The address of the {@code sock_fprog}. */
    long address() {
        return PlatformDependent.directBufferAddress(memory);
    }

    /** The {@code sock_fprog} as a buffer (for Netty's {@code setRawOpt}). */
    ByteBuffer program() {
        return memory.duplicate().limit(16).order(ByteOrder.nativeOrder());
    }

    static final int FPROG_SIZE = 16;
}
