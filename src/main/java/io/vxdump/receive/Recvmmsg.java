package io.vxdump.receive;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * libc's {@code recvmmsg(2)}, bound with JNA's direct mapping: a plain native call with primitive
 * arguments (addresses as {@code long}), so a batch read costs one downcall and nothing on the
 * heap: no JNI callbacks into Java per datagram as Netty's own recvmmsg makes. {@link #available}
 * says whether the binding loaded (JNA unpacks its native stub to a temporary directory that must
 * allow execution); when it did not, the receiver uses Netty's datagram channel instead.
 */
final class Recvmmsg {
    /** Do not block: the event loop calls only when epoll says the socket is readable. */
    static final int MSG_DONTWAIT = 0x40;
    /** In msg_flags: the datagram was longer than its buffer. */
    static final int MSG_TRUNC = 0x20;
    static final int EAGAIN = 11;
    static final int EINTR = 4;

    private static final Throwable UNAVAILABLE = load();

    private Recvmmsg() {
    }

    private static Throwable load() {
        if ("nojna".equals(System.getProperty(Receiver.RECEIVE_PROPERTY))) {
            // The tests' way to take the path a machine without a usable JNA takes.
            return new UnsatisfiedLinkError("turned off by -D" + Receiver.RECEIVE_PROPERTY + "=nojna");
        }
        try {
            Native.register(Recvmmsg.class, NativeLibrary.getInstance("c"));
            return null;
        } catch (Throwable t) { // UnsatisfiedLinkError, or JNA's stub refused by a noexec temp dir
            return t;
        }
    }

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why the binding is not available, for the start-up line; null when it is. */
    static String unavailableReason() {
        return UNAVAILABLE == null ? null : UNAVAILABLE.toString();
    }

    /** errno of this thread's last native call (JNA keeps it per thread). */
    static int errno() {
        return Native.getLastError();
    }

    /**
     * {@code int recvmmsg(int sockfd, struct mmsghdr *msgvec, unsigned int vlen, int flags,
     * struct timespec *timeout)}: the number of datagrams read, or -1 with {@link #errno()}.
     */
    static native int recvmmsg(int fd, long msgvec, int vlen, int flags, long timeout);
}
