package io.vxdump.capture;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** Classic pcap: a 24-byte header, then 16-byte record headers and frames, in either byte order. */
final class PcapReader extends CaptureReader {
    /** Larger than any link layer sends; a bigger caplen means a corrupt record. */
    private static final int MAX_CAPLEN = 1 << 24;

    private final ByteOrder order;
    private final long nanosPerUnit;
    private final int linkType;
    private final byte[] header = new byte[16];
    private final ByteBuffer headerView;

    PcapReader(InputStream in, Path file, ByteOrder order, boolean nanos) throws IOException {
        super(in, file);
        this.order = order;
        this.nanosPerUnit = nanos ? 1 : 1000;
        byte[] rest = read(20, false);
        ByteBuffer h = ByteBuffer.wrap(rest).order(order);
        this.linkType = h.getInt(16) & 0x0FFFFFFF; // the upper bits carry FCS information
        this.headerView = ByteBuffer.wrap(header).order(order);
    }

    @Override
    public boolean nanosecondTimestamps() {
        return nanosPerUnit == 1;
    }

    @Override
    public CapturedPacket next() throws IOException {
        if (!fill(header, 16, true)) {
            return null;
        }
        ByteBuffer h = headerView;
        long seconds = Integer.toUnsignedLong(h.getInt(0));
        long fraction = Integer.toUnsignedLong(h.getInt(4));
        int caplen = h.getInt(8);
        int origlen = h.getInt(12);
        if (caplen < 0 || caplen > MAX_CAPLEN) {
            throw new CaptureFormatException("a record claims " + Integer.toUnsignedString(caplen) + " bytes: corrupt", false);
        }
        byte[] data = read(caplen, false);
        return new CapturedPacket(seconds * 1_000_000_000L + fraction * nanosPerUnit, linkType, data, origlen);
    }
}
