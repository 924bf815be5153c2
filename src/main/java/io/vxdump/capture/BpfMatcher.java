package io.vxdump.capture;

import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * A BPF expression as tcpdump takes it, compiled by the system's libpcap (through pcap4j:
 * {@code pcap_open_dead} + {@code pcap_compile}) and run on each record with
 * {@code pcap_offline_filter}, so that it means exactly what it means to tcpdump. Used by fetch
 * and by the live stream.
 */
public final class BpfMatcher implements AutoCloseable {
    static {
        // Debian ships the unversioned libpcap.so only with -dev: point pcap4j at the runtime library.
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            java.nio.file.Path lib = java.nio.file.Path.of("/usr/lib/" + arch + "-linux-gnu/libpcap.so.0.8");
            if (System.getProperty("org.pcap4j.core.pcapLibName") == null && java.nio.file.Files.exists(lib)) {
                System.setProperty("org.pcap4j.core.pcapLibName", lib.toString());
            }
        }
    }

    private final BpfProgram program;
    private final PcapHandle handle;

    private BpfMatcher(PcapHandle handle, BpfProgram program) {
        this.handle = handle;
        this.program = program;
    }

    /** Compiles {@code expression} for {@code linkType}; a bad expression is libpcap's one-line message. */
    public static BpfMatcher compile(String expression, int linkType) {
        PcapHandle h = null;
        try {
            h = Pcaps.openDead(DataLinkType.getInstance(linkType), 262_144);
            BpfProgram p = h.compileFilter(expression, BpfProgram.BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN);
            return new BpfMatcher(h, p);
        } catch (PcapNativeException | org.pcap4j.core.NotOpenException | RuntimeException e) {
            if (h != null) {
                h.close();
            }
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new IllegalArgumentException("filter '" + expression + "': " + m.replaceAll("\\s+", " ").trim());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IllegalStateException("a filter needs the system's libpcap (Debian: libpcap0.8): " + e.getMessage());
        }
    }

    public boolean matches(CapturedPacket p) {
        return program.applyFilter(p.data(), p.originalLength(), p.data().length);
    }

    /** The first {@code caplen} bytes of {@code frame}, of a packet {@code origlen} long on the wire. */
    public boolean matches(byte[] frame, int caplen, int origlen) {
        return program.applyFilter(frame, origlen, caplen);
    }

    @Override
    public void close() {
        program.free();
        handle.close();
    }
}
