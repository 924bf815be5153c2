package io.vxdump.filter;

import io.vxdump.packet.InnerFrame;

/**
 * Decides whether a session keeps a parsed inner frame. Implementations are compiled once per
 * configuration and run on the receive threads: no allocation, no lock, no lookup by name.
 */
@FunctionalInterface
public interface PacketFilter {
    /** The filter of a session without rules: it keeps everything. */
    PacketFilter KEEP_ALL = frame -> true;

    /** True when the frame is to be written. */
    boolean keep(InnerFrame frame);
}
