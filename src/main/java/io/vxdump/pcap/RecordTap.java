package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;

/**
 * Where a writer hands the records it writes to someone else (the live watchers). The writer asks
 * {@link #mask} for a session only when {@link #generation} changed since it last asked, so with
 * nobody listening a record costs one read and one predictable branch.
 */
public interface RecordTap {
    /** No one listens. */
    RecordTap NONE = new RecordTap() {
        @Override
        public int generation() {
            return 0;
        }

        @Override
        public long mask(String session) {
            return 0;
        }

        @Override
        public void offer(long mask, int writer, SessionOutput output, long timestampNanos, ByteBuf frame, int index,
                          int caplen, int origlen) {
        }
    };

    /** Changes whenever the listeners change. */
    int generation();

    /** The listeners (a bit each) that want records of {@code session}; 0 for none. */
    long mask(String session);

    /** A small number naming {@code session} to the listeners (records carry it); asked once per session. */
    default int id(String session) {
        return 0;
    }

    /** Writer thread {@code writer}: the record just written, for the listeners in {@code mask}. */
    void offer(long mask, int writer, SessionOutput output, long timestampNanos, ByteBuf frame, int index, int caplen,
               int origlen);
}
