package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * A fixed-size direct buffer that collects finished pcap records (record header + frame) for one
 * session on one receive thread, until it is full or the flush timer hands it to the writer.
 *
 * <p>Ownership moves with the buffer: the receive thread fills it, the writer thread drains it and
 * gives it back to its {@link StagingPool}. Only one thread touches it at a time.
 */
public final class StagingBuffer {
    private final ByteBuf bytes;
    private final StagingPool home;
    private SessionOutput target;
    private int packets;

    StagingBuffer(int capacity, StagingPool home) {
        this.bytes = Unpooled.directBuffer(capacity, capacity);
        this.home = home;
    }

    /** Points an empty buffer at the session whose records it will carry. */
    public void assign(SessionOutput target) {
        this.target = target;
    }

    public SessionOutput target() {
        return target;
    }

    /** True when one more record of {@code caplen} frame bytes fits. */
    public boolean fits(int caplen) {
        return bytes.writableBytes() >= PcapFormat.RECORD_HEADER_LENGTH + caplen;
    }

    /**
     * Appends one record: the header, then {@code caplen} bytes of {@code src} from {@code index}.
     * This is the one copy of a frame between the socket buffer and the file.
     */
    public void append(long timestampNanos, Precision precision, ByteBuf src, int index, int caplen, int origlen) {
        long seconds = timestampNanos / 1_000_000_000L;
        long fraction = (timestampNanos - seconds * 1_000_000_000L) / precision.nanosPerUnit();
        bytes.writeIntLE((int) seconds);
        bytes.writeIntLE((int) fraction);
        bytes.writeIntLE(caplen);
        bytes.writeIntLE(origlen);
        bytes.writeBytes(src, index, caplen);
        packets++;
    }

    /** Records in the buffer. */
    public int packets() {
        return packets;
    }

    public boolean isEmpty() {
        return packets == 0;
    }

    /** The records, from index 0 to the writer index. */
    public ByteBuf bytes() {
        return bytes;
    }

    /** Empties the buffer and returns it to its pool; called by the writer when done with it. */
    public void recycle() {
        bytes.clear();
        packets = 0;
        target = null;
        home.giveBack(this);
    }
}
