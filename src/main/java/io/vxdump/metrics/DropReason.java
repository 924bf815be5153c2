package io.vxdump.metrics;

/** Why a datagram was not written. Names are the metric label values. */
public enum DropReason {
    /** Too short for VXLAN + Ethernet, or the I flag is missing; or GENEVE that carries neither Ethernet nor VXLAN. */
    DECAP_ERROR,
    /** A GENEVE OAM packet (O bit): control traffic, not a mirrored packet. */
    GENEVE_OAM,
    /** The outer source address (for geneve+vxlan: the mirror source) is not in {@code allow-sources}. */
    SOURCE_NOT_ALLOWED,
    /** A VNI with no session while {@code unknown-vni: drop}. */
    UNKNOWN_VNI,
    /** A new VNI while {@code max-sessions} sessions were already made for unknown VNIs. */
    SESSION_LIMIT,
    /** The staging ring is full: the writer is behind. */
    WRITER_BACKLOG,
    /** The write to the output file failed (disk full, read-only, I/O error). */
    WRITE_ERROR;

    /** The label value: the lower-case name. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
