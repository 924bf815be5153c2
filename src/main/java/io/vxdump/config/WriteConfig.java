package io.vxdump.config;

import io.vxdump.pcap.WriteMode;

/**
 * How packets go from the receive threads to disk.
 *
 * @param ringSize     bytes of the staging ring from each receive thread to each writer
 * @param burstSize    bytes each ring may grow to while the writer is behind; {@link #AUTO_BURST}: from
 *                     the machine's memory (see io.vxdump.serve.MemoryFit); at most ringSize: never grows
 * @param threads      writer threads; sessions are sharded across them
 * @param blockMemory  bytes of write blocks per writer, shared by its sessions
 * @param blockSize    bytes written at once
 * @param directIo     direct I/O: auto (where the file system allows), on, or off
 * @param maxOpenFiles file descriptors all writers together may hold; 0 = from the process's limit
 * @param syncMillis   with direct I/O, the device's write cache is flushed this often while writers write;
 *                     0 = never (see {@link io.vxdump.pcap.StorageSync})
 */
public record WriteConfig(long ringSize, long burstSize, int threads, long blockMemory, int blockSize, WriteMode.Choice directIo,
                          int maxOpenFiles, long syncMillis) {

    /** {@link #burstSize} chosen from the machine's memory. */
    public static final long AUTO_BURST = -1;

    /** Flush the device's cache every 100 ms: short stalls, little to lose at a power cut. */
    public static final long DEFAULT_SYNC_MILLIS = 100;

    /** Descriptors left for sockets, jars, logs and the HTTP server when the budget comes from the limit. */
    public static final int FD_RESERVE = 512;

    /** The descriptor budget of all writers: configured, or the process's limit less a reserve. */
    public int fileBudget(long processLimit) {
        if (maxOpenFiles > 0) {
            return maxOpenFiles;
        }
        return (int) Math.max(16, Math.min(1 << 20, processLimit - FD_RESERVE));
    }
}
