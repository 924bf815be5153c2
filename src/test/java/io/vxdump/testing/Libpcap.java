package io.vxdump.testing;

import java.io.EOFException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

/** Reads pcap files with the system's libpcap, through pcap4j: a reader we did not write. */
public final class Libpcap {
    static {
        // Debian ships libpcap.so only in the -dev package; point JNA at the runtime library.
        for (String arch : new String[] {"x86_64", "aarch64"}) {
            Path lib = Path.of("/usr/lib/" + arch + "-linux-gnu/libpcap.so.0.8");
            if (System.getProperty("org.pcap4j.core.pcapLibName") == null && lib.toFile().exists()) {
                System.setProperty("org.pcap4j.core.pcapLibName", lib.toString());
            }
        }
    }

    private Libpcap() {
    }

    /** Skips (fails under CI) when the system's libpcap is missing. */
    private static void requireLibpcap() {
        String lib = System.getProperty("org.pcap4j.core.pcapLibName");
        Requirements.require(lib != null && Path.of(lib).toFile().exists(),
                "libpcap is not installed (Debian package libpcap0.8; `.ci/run` installs it)");
    }

    /** Every record of {@code file}, timestamps in nanoseconds. */
    public static List<PcapRecord> read(Path file) {
        requireLibpcap();
        List<PcapRecord> out = new ArrayList<>();
        try (PcapHandle h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO)) {
            while (true) {
                byte[] data;
                try {
                    data = h.getNextRawPacketEx();
                } catch (EOFException e) {
                    break;
                }
                java.sql.Timestamp ts = h.getTimestamp();
                long nanos = Math.floorDiv(ts.getTime(), 1000) * 1_000_000_000L + ts.getNanos();
                out.add(new PcapRecord(nanos, data.length, h.getOriginalLength(), data));
            }
        } catch (Exception e) {
            throw new AssertionError("libpcap cannot read " + file + ": " + e, e);
        }
        return out;
    }

    /** The link type libpcap reports for {@code file}. */
    public static int linkType(Path file) {
        requireLibpcap();
        try (PcapHandle h = Pcaps.openOffline(file.toString())) {
            return h.getDlt().value();
        } catch (Exception e) {
            throw new AssertionError("libpcap cannot open " + file + ": " + e, e);
        }
    }
}
