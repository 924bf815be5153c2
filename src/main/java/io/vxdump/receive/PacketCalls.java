package io.vxdump.receive;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The libc calls an AF_PACKET ring needs ({@link PacketRing}), bound with JNA's direct mapping as
 * {@link Recvmmsg} is: primitive arguments, addresses as {@code long}s. None of them runs per
 * packet; the ring is read through its mapping.
 */
final class PacketCalls {
    static final int AF_PACKET = 17;
    static final int SOCK_DGRAM = 2;
    /** Every protocol, in network order (htons(ETH_P_ALL)); the filter keeps UDP to our port. */
    static final int ETH_P_ALL_NETWORK = 0x0300;
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_FILTER = 26;
    static final int SOL_PACKET = 263;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_FANOUT = 18;
    static final int TPACKET_V3 = 2;
    static final int PROT_READ_WRITE = 3;
    static final int MAP_SHARED = 1;
    static final long MAP_FAILED = -1;
    static final int EPERM = 1;
    static final int EAFNOSUPPORT = 97;

    private static final Throwable UNAVAILABLE = load();

    private PacketCalls() {
    }

    private static Throwable load() {
        try {
            Native.register(PacketCalls.class, NativeLibrary.getInstance("c"));
            return null;
        } catch (Throwable t) { // as in Recvmmsg: no usable JNA stub
            return t;
        }
    }

    /** Why the calls cannot be made, or null. */
    static String unavailableReason() {
        return UNAVAILABLE == null ? null : UNAVAILABLE.toString();
    }

    static int errno() {
        return Native.getLastError();
    }

    static native int socket(int domain, int type, int protocol);

    static native int setsockopt(int fd, int level, int name, long value, int length);

    static native int getsockopt(int fd, int level, int name, long value, long length);

    static native int bind(int fd, long address, int length);

    static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

    static native int munmap(long address, long length);

    static native int close(int fd);
}
