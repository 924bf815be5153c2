package io.vxdump.pcap;

/** Timestamp precision of a classic pcap file, chosen by its magic number. */
public enum Precision {
    MICRO(0xA1B2C3D4, 1_000),
    NANO(0xA1B23C4D, 1);

    private final int magic;
    private final int nanosPerUnit;

    Precision(int magic, int nanosPerUnit) {
        this.magic = magic;
        this.nanosPerUnit = nanosPerUnit;
    }

    public int magic() {
        return magic;
    }

    /** Nanoseconds in one unit of the record header's fraction field. */
    public int nanosPerUnit() {
        return nanosPerUnit;
    }

    /** The precision whose magic is {@code magic} (as read little-endian), or null. */
    public static Precision ofMagic(int magic) {
        for (Precision p : values()) {
            if (p.magic == magic) {
                return p;
            }
        }
        return null;
    }
}
