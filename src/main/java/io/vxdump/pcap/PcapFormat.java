package io.vxdump.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap layout, written little-endian (the byte order of the machines we run on; every
 * reader handles both): a 24-byte file header, then records of a 16-byte header and the frame.
 */
public final class PcapFormat {
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int LINKTYPE_ETHERNET = 1;
    /** libpcap's MAXIMUM_SNAPLEN, written when the session keeps whole frames. */
    public static final int MAX_SNAPLEN = 262_144;

    private PcapFormat() {
    }

    /** The 24-byte file header. */
    public static ByteBuffer fileHeader(Precision precision, int snaplen) {
        ByteBuffer b = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(precision.magic());
        b.putShort((short) 2).putShort((short) 4);
        b.putInt(0).putInt(0);
        b.putInt(snaplen == 0 ? MAX_SNAPLEN : snaplen);
        b.putInt(LINKTYPE_ETHERNET);
        return b.flip();
    }

    /** Nanoseconds since the epoch of a record header's timestamp fields. */
    public static long timestampNanos(long seconds, long fraction, Precision precision) {
        return seconds * 1_000_000_000L + fraction * precision.nanosPerUnit();
    }
}
