package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The off-heap arrays one {@code recvmmsg} call fills, made once per socket and reused for every
 * call: {@code slots} datagram buffers of {@link ReceiveSettings#MAX_DATAGRAM} bytes (one direct
 * {@link ByteBuf} the packet path reads in place), and for each slot its {@code mmsghdr}, its
 * {@code iovec}, room for the sender's {@code sockaddr_in6}, and a control buffer. Layouts are
 * Linux LP64 (x86-64 and arm64 alike). A flyweight: accessors read the kernel's answer for one
 * slot; nothing is copied or allocated.
 */
final class MmsgBatch implements AutoCloseable {
    // struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } on LP64 Linux
    static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_FLAGS = 48;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    /** sockaddr_in6 is 28 bytes; 32 keeps slots aligned. */
    private static final int SOCKADDR = 32;
    static final int CONTROL = 64;
    private static final int AF_INET = 2;
    static final int SOL_SOCKET = 1;
    /** SO_TIMESTAMPNS as a socket option, SCM_TIMESTAMPNS as a control message: one number. */
    static final int SCM_TIMESTAMPNS = 35;
    /** cmsghdr (16 bytes on LP64) + struct timespec (16). */
    private static final int CMSG_TIMESPEC = 32;
    private static final int AF_INET6 = 10;

    private final int slots;
    private final int slotSize;
    /** mmsghdr[slots] | iovec[slots] | sockaddr[slots] | control[slots], native byte order. */
    private final ByteBuffer meta;
    /** The same memory read big-endian: addresses and ports are in network order. */
    private final ByteBuffer metaNetwork;
    private final long metaAddress;
    private final ByteBuf data;
    private final int iovecs;
    private final int names;
    private final int controls;

    MmsgBatch(int slots, int slotSize) {
        this.slots = slots;
        this.slotSize = slotSize;
        iovecs = slots * MMSGHDR;
        names = iovecs + slots * IOVEC;
        controls = names + slots * SOCKADDR;
        meta = ByteBuffer.allocateDirect(controls + slots * CONTROL).order(ByteOrder.nativeOrder());
        metaNetwork = meta.duplicate().order(ByteOrder.BIG_ENDIAN);
        metaAddress = PlatformDependent.directBufferAddress(meta);
        data = Unpooled.directBuffer(slots * slotSize, slots * slotSize);
        long dataAddress = data.memoryAddress();
        for (int i = 0; i < slots; i++) {
            int h = i * MMSGHDR;
            meta.putLong(h + MSG_NAME, metaAddress + names + (long) i * SOCKADDR);
            meta.putLong(h + MSG_IOV, metaAddress + iovecs + (long) i * IOVEC);
            meta.putLong(h + MSG_IOVLEN, 1);
            meta.putLong(h + MSG_CONTROL, metaAddress + controls + (long) i * CONTROL);
            meta.putLong(iovecs + i * IOVEC, dataAddress + (long) i * slotSize);
            meta.putLong(iovecs + i * IOVEC + 8, slotSize);
        }
    }

    int slots() {
        return slots;
    }

    /** Bytes each slot holds: a longer datagram is cut to this. */
    int slotSize() {
        return slotSize;
    }

    /** The address of the mmsghdr array, for recvmmsg. */
    long address() {
        return metaAddress;
    }

    /**
     * Before each call: the kernel shrinks {@code msg_namelen} and {@code msg_controllen} to what it
     * wrote, so they must be set back to the room there is, or the next datagrams lose their sender
     * and control messages.
     */
    void reset(int used) {
        for (int i = 0; i < used; i++) {
            int h = i * MMSGHDR;
            meta.putInt(h + MSG_NAMELEN, SOCKADDR);
            meta.putLong(h + MSG_CONTROLLEN, CONTROL);
        }
    }

    /** The datagrams' buffer: slot {@code i} starts at {@link #index}. */
    ByteBuf data() {
        return data;
    }

    int index(int i) {
        return i * slotSize;
    }

    /** The bytes the kernel put in slot {@code i}. */
    int length(int i) {
        return meta.getInt(i * MMSGHDR + MSG_LEN);
    }

    /** True when slot {@code i}'s datagram was longer than the slot (MSG_TRUNC). */
    boolean truncated(int i) {
        return (meta.getInt(i * MMSGHDR + MSG_FLAGS) & Recvmmsg.MSG_TRUNC) != 0;
    }

    /** The sender is IPv4, or IPv4 mapped into IPv6 (a dual-stack socket's view of it). */
    boolean senderIsIpv4(int i) {
        int a = names + i * SOCKADDR;
        int family = meta.getShort(a) & 0xFFFF;
        if (family == AF_INET) {
            return true;
        }
        return family == AF_INET6 && metaNetwork.getLong(a + 8) == 0 && (metaNetwork.getLong(a + 16) >>> 32) == 0xFFFF;
    }

    /** The IPv4 sender as an int in network order (what {@code Inet4Address.hashCode()} gives). */
    int sender4(int i) {
        int a = names + i * SOCKADDR;
        return (meta.getShort(a) & 0xFFFF) == AF_INET ? metaNetwork.getInt(a + 4) : (int) metaNetwork.getLong(a + 16);
    }

    /** The high 64 bits of an IPv6 sender. */
    long sender6High(int i) {
        return metaNetwork.getLong(names + i * SOCKADDR + 8);
    }

    /** The low 64 bits of an IPv6 sender. */
    long sender6Low(int i) {
        return metaNetwork.getLong(names + i * SOCKADDR + 16);
    }

    /**
     * The kernel's receive time of slot {@code i} (SCM_TIMESTAMPNS: nanoseconds since the epoch), or
     * 0 when the slot carries none.
     */
    long kernelNanos(int i) {
        long used = meta.getLong(i * MMSGHDR + MSG_CONTROLLEN);
        if (used < CMSG_TIMESPEC) {
            return 0;
        }
        int c = controls + i * CONTROL;
        if (meta.getInt(c + 8) != SOL_SOCKET || meta.getInt(c + 12) != SCM_TIMESTAMPNS) {
            return 0;
        }
        return meta.getLong(c + 16) * 1_000_000_000L + meta.getLong(c + 24);
    }

    /**
     * Fills slot {@code i} as {@code recvmmsg} would for one IPv4 datagram of {@code length} bytes
     * (those of {@code datagram} that fit): its bytes, length and flags, the sender, and an SCM_TIMESTAMPNS control message. For tests and the benchmark of
     * the slot loop, which must see what the kernel writes without a socket.
     */
    void received(int i, byte[] datagram, int length, int sender4, int port, long kernelNanos) {
        data.setBytes(index(i), datagram, 0, Math.min(datagram.length, slotSize));
        int h = i * MMSGHDR;
        // Called with MSG_TRUNC, recvmmsg reports the datagram's real length, however much fitted.
        meta.putInt(h + MSG_LEN, length);
        meta.putInt(h + MSG_FLAGS, length > slotSize ? Recvmmsg.MSG_TRUNC : 0);
        meta.putInt(h + MSG_NAMELEN, 16);
        int a = names + i * SOCKADDR;
        meta.putShort(a, (short) AF_INET);
        metaNetwork.putShort(a + 2, (short) port);
        metaNetwork.putInt(a + 4, sender4);
        meta.putLong(h + MSG_CONTROLLEN, CMSG_TIMESPEC);
        int c = controls + i * CONTROL;
        meta.putLong(c, CMSG_TIMESPEC);
        meta.putInt(c + 8, SOL_SOCKET);
        meta.putInt(c + 12, SCM_TIMESTAMPNS);
        meta.putLong(c + 16, kernelNanos / 1_000_000_000L);
        meta.putLong(c + 24, kernelNanos % 1_000_000_000L);
    }

    @Override
    public void close() {
        data.release();
    }
}
