package io.vxdump.testing;

import java.util.Arrays;

/** One packet as an independent reader saw it. */
public record PcapRecord(long timestampNanos, int caplen, int origlen, byte[] data) {
    @Override
    public boolean equals(Object o) {
        return o instanceof PcapRecord r && r.timestampNanos == timestampNanos && r.caplen == caplen
                && r.origlen == origlen && Arrays.equals(r.data, data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "PcapRecord[ts=" + timestampNanos + ", caplen=" + caplen + ", origlen=" + origlen + ", "
                + data.length + " bytes]";
    }
}
