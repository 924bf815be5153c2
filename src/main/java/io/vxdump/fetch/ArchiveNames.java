package io.vxdump.fetch;

import io.vxdump.pcap.FileNaming;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a finished file's name says: {@code <session>-<instance>-<yyyyMMddTHHmmssZ>-<seq>.pcap[.gz]}. */
final class ArchiveNames {
    private static final Pattern NAME = Pattern.compile("(.+)-(\\d{8}T\\d{6}Z)-(\\d+)\\.pcap(\\.gz)?");
    /** Finished files post-processed into something we cannot read (xz, zstd, ...). */
    private static final Pattern OTHER = Pattern.compile(".+-\\d{8}T\\d{6}Z-\\d+\\.pcap\\..+");

    /** A name read: the series' name prefix, the first second, the sequence number, gzip or not. */
    record Parsed(String prefix, long startSecond, long seq, boolean gzip) {
    }

    private ArchiveNames() {
    }

    /** The name of a readable finished file of {@code session}, or null. */
    static Parsed parse(String name, String session) {
        if (name.endsWith(FileNaming.PART)) {
            return null; // still being written: the daemon's, not the archive's
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !m.group(1).startsWith(session + "-")) {
            return null;
        }
        return new Parsed(m.group(1), FileNaming.stampSeconds(m.group(2)), Long.parseLong(m.group(3)), m.group(4) != null);
    }

    /** A finished file of the archive's naming that fetch cannot read (compressed other than gzip). */
    static boolean unreadableKind(String name) {
        return !name.endsWith(FileNaming.PART) && !NAME.matcher(name).matches() && OTHER.matcher(name).matches();
    }
}
