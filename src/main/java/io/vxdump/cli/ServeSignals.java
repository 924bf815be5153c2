package io.vxdump.cli;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * What {@code vxdump serve} does on each signal a person might send. TERM and INT stop it in
 * order; HUP reloads; USR1 finishes every open file. Every other signal whose default action ends
 * the process (ALRM, VTALRM, PROF, IO, PWR, STKFLT, XCPU and, when the launcher has moved
 * HotSpot's thread-suspend signal off it, USR2) is logged and ignored: a mistyped {@code kill}
 * must not lose staged packets or tear a record. QUIT stays the JVM's thread dump.
 */
final class ServeSignals {
    private static final Logger LOG = LoggerFactory.getLogger(ServeSignals.class);
    /** Default action "terminate", not used by the JVM. */
    private static final List<String> IGNORED = List.of("ALRM", "VTALRM", "PROF", "IO", "PWR", "STKFLT", "XCPU");
    private static final int SIGUSR2 = 12;

    private ServeSignals() {
    }

    /** Installs the handlers for stray signals; the caller installs TERM, INT, HUP and USR1. */
    static void ignoreStray() {
        for (String name : IGNORED) {
            ignore(name);
        }
        if (usr2Free()) {
            ignore("USR2");
        }
    }

    /** Once serving: a JVM started without the launcher still dies of SIGUSR2; say so. */
    static void warnIfUsr2Unsafe() {
        if (!usr2Free()) {
            LOG.warn("SIGUSR2 would crash this JVM (HotSpot's thread-suspend signal): start vxdump with bin/vxdump or "
                    + "the systemd unit, which set _JAVA_SR_SIGNUM=39 so that SIGUSR2 is ignored like other stray signals");
        }
    }

    /** True when {@code _JAVA_SR_SIGNUM} moved the JVM's suspend/resume signal off SIGUSR2. */
    static boolean usr2Free() {
        String sr = System.getenv("_JAVA_SR_SIGNUM");
        if (sr == null) {
            return false;
        }
        try {
            return Integer.parseInt(sr.trim()) != SIGUSR2;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void ignore(String name) {
        try {
            Signal.handle(new Signal(name), s -> LOG.warn("received SIG{}: ignored (vxdump stops on SIGTERM or SIGINT, "
                    + "reloads on SIGHUP, finishes open files on SIGUSR1)", s.getName()));
        } catch (IllegalArgumentException e) {
            LOG.debug("SIG{} cannot be handled here: {}", name, e.getMessage());
        }
    }
}
