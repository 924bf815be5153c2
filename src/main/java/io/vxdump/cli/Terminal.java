package io.vxdump.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** Whether a standard stream is a terminal (libc's {@code isatty}), for progress lines a pipe must not get. */
final class Terminal {
    private interface Libc extends Library {
        int isatty(int fd);
    }

    private Terminal() {
    }

    /** True when standard error (fd 2) is a terminal. */
    static boolean stderr() {
        return isTerminal(2);
    }

    /** True when standard output (fd 1) is a terminal. */
    static boolean stdout() {
        return isTerminal(1);
    }

    private static boolean isTerminal(int fd) {
        try {
            return Native.load("c", Libc.class).isatty(fd) == 1;
        } catch (LinkageError | RuntimeException e) {
            return System.console() != null; // no JNA here: both stdin and stdout terminals is the next best sign
        }
    }
}
