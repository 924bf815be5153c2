package io.vxdump.archive;

/**
 * Limits on all of this instance's finished files together, beside the per-session ones.
 *
 * @param minFreeBytes   free bytes the output file system keeps; 0 = none
 * @param minFreePercent free share of the file system's size it keeps, 0..100; 0 = none (the larger
 *                       of the two floors applies)
 * @param maxBytesTotal  bytes of finished files kept across sessions; 0 = no limit
 */
public record StorageLimits(long minFreeBytes, double minFreePercent, long maxBytesTotal) {
    /** No limits. */
    public static final StorageLimits NONE = new StorageLimits(0, 0, 0);

    public StorageLimits {
        if (minFreeBytes < 0 || maxBytesTotal < 0 || minFreePercent < 0 || minFreePercent >= 100) {
            throw new IllegalArgumentException("storage limits out of range");
        }
    }

    /** Free bytes to keep on a file system of {@code totalSpace} bytes. */
    public long floor(long totalSpace) {
        return Math.max(minFreeBytes, (long) (totalSpace * (minFreePercent / 100.0)));
    }

    public boolean unlimited() {
        return minFreeBytes == 0 && minFreePercent == 0 && maxBytesTotal == 0;
    }
}
