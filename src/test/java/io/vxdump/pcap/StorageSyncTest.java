package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic flush runs only after writes, counts what it did, and survives a vanished directory. */
class StorageSyncTest {
    @TempDir
    Path dir;

    @Test
    void flushesOnlyWhenTheWritersWroteSinceTheLastFlush() {
        AtomicLong written = new AtomicLong();
        try (StorageSync sync = new StorageSync(dir, written::get)) {
            sync.syncIfWritten();
            assertEquals(0, sync.syncs(), "nothing written yet: no flush");
            written.set(512 << 10);
            sync.syncIfWritten();
            assertEquals(1, sync.syncs());
            sync.syncIfWritten();
            assertEquals(1, sync.syncs(), "nothing new: no flush");
            written.addAndGet(4096);
            sync.syncIfWritten();
            assertEquals(2, sync.syncs());
            assertTrue(sync.syncNanos() > 0);
            assertEquals(0, sync.failures());
        }
    }

    @Test
    void aFailedFlushIsCountedAndTheNextOneStillRuns() throws Exception {
        Path output = Files.createDirectory(dir.resolve("out"));
        AtomicLong written = new AtomicLong(1);
        try (StorageSync sync = new StorageSync(output, written::get)) {
            Files.delete(output);
            sync.syncIfWritten();
            assertEquals(1, sync.failures());
            assertEquals(0, sync.syncs());
            Files.createDirectory(output);
            written.incrementAndGet();
            sync.syncIfWritten();
            assertEquals(1, sync.syncs());
        }
    }

    @Test
    void startedItFlushesOnItsOwnAfterWrites() throws Exception {
        AtomicLong written = new AtomicLong(1);
        try (StorageSync sync = new StorageSync(dir, written::get).start(Duration.ofMillis(10))) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (sync.syncs() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals(1, sync.syncs(), "one flush for the one write, then none while nothing is written");
            Thread.sleep(50);
            assertEquals(1, sync.syncs());
        }
    }

    @Test
    void zeroMeansNever() throws Exception {
        AtomicLong written = new AtomicLong(1);
        try (StorageSync sync = new StorageSync(dir, written::get).start(Duration.ZERO)) {
            Thread.sleep(50);
            assertEquals(0, sync.syncs());
        }
    }
}
