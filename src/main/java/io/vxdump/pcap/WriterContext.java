package io.vxdump.pcap;

/**
 * What one writer thread shares among the sessions it writes: its write blocks, its file-handle
 * budget, its failure gate, the finisher and the write mode. Writer thread only.
 */
final class WriterContext {
    final WriteMode mode;
    final WriteBlocks blocks;
    final FileHandles files;
    final WriteFailureGate gate;
    final FileFinisher finisher;
    /** Full runs being written by the I/O threads. */
    final WritesInFlight io;
    /** Replaced whole by a reload (rotation); the writer reads it per record. */
    volatile OutputSettings settings;
    /** System.nanoTime() of the record being written, refreshed by the writer loop. */
    long now;
    /**
     * Whether sessions may write runs of blocks: only while the output has plenty of room (see
     * {@link WriteBlocks#RUN_ROOM}), so that near a full disk a failing write loses one block's records, not a run's.
     * Refreshed by the writer's tick.
     */
    boolean runs;
    /** Writes issued and bytes they carried (padding included), for the writer's closing debug line. */
    long writes;
    /** Bytes written (padding included); read by {@link StorageSync} on its own thread. */
    final io.vxdump.metrics.LongCounter writeBytes = new io.vxdump.metrics.LongCounter();

    WriterContext(WriteMode mode, WriteBlocks blocks, FileHandles files, WriteFailureGate gate,
                  FileFinisher finisher, OutputSettings settings, WritesInFlight io) {
        this.mode = mode;
        this.io = io;
        this.blocks = blocks;
        this.files = files;
        this.gate = gate;
        this.finisher = finisher;
        this.settings = settings;
    }
}
