package io.vxdump.fetch;

import io.vxdump.capture.CapturedPacket;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One classic pcap stream (little-endian, as vxdump writes it): the header, then records as they
 * come. Microsecond or nanosecond timestamps; snaplen 262144 (the largest any input may have).
 */
final class CaptureOutput implements AutoCloseable {
    static final int SNAPLEN = 262_144;
    private final OutputStream out;
    private final boolean nanos;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long records;

    CaptureOutput(OutputStream out, boolean nanos, int linkType) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 20);
        this.nanos = nanos;
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(linkType);
        this.out.write(h.array());
    }

    void write(CapturedPacket p) throws IOException {
        long t = p.timestampNanos();
        long seconds = Math.floorDiv(t, 1_000_000_000L);
        long fraction = Math.floorMod(t, 1_000_000_000L);
        header.clear();
        header.putInt((int) seconds).putInt((int) (nanos ? fraction : fraction / 1000)).putInt(p.data().length)
                .putInt(p.originalLength());
        out.write(header.array());
        out.write(p.data());
        records++;
    }

    long records() {
        return records;
    }

    /** Pushes what is buffered to the reader (a pipe to Wireshark sees packets before the end). */
    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
