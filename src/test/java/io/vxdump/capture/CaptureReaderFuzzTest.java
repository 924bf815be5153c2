package io.vxdump.capture;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay's capture readers fed seeded corruptions of real captures (tcpdump's VXLAN captures and
 * a pcapng of several block kinds): truncated anywhere, bytes flipped, and length fields set to
 * absurd values (huge caplen, zero and oversized block lengths). Every file ends cleanly or with
 * a {@link CaptureFormatException}: never another exception, a hang or an OutOfMemoryError.
 * {@code -Dvxdump.fuzz.seed=N} runs a failing seed again.
 */
class CaptureReaderFuzzTest {
    private static Path captures() {
        return io.vxdump.testing.Requirements.sharedCaptures();
    }

    private static final int ABSURD[] = {0, 1, 4, 7, 12, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0, 1 << 24, (1 << 24) + 1};

    @TempDir
    Path dir;

    @Test
    void corruptedCapturesEndInAClearErrorNeverAHangOrACrash() throws Exception {
        long seed = Long.getLong("vxdump.fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        List<byte[]> originals = new ArrayList<>();
        for (String name : new String[] {"vxlan.pcap", "geneve.pcap", "gso-ipv6-vxlan-ipv6.pcap"}) {
            originals.add(Files.readAllBytes(captures().resolve(name)));
        }
        originals.add(CaptureReaderTest.pcapng(ByteOrder.LITTLE_ENDIAN));
        originals.add(CaptureReaderTest.pcapng(ByteOrder.BIG_ENDIAN));
        Path f = dir.resolve("fuzzed.cap");
        int errors = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] original = originals.get(i % originals.size());
            byte[] b = mutate(r, original);
            Files.write(f, b);
            String what = "seed " + seed + " (-Dvxdump.fuzz.seed=" + seed + "), case " + i;
            boolean failed = Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readAll(f, b.length, what),
                    "a hang: " + what);
            errors += failed ? 1 : 0;
        }
        assertTrue(errors > 300, "the corruptions are found: " + errors + " of 3000, seed " + seed);
        assertFalse(errors == 3000, "and some files stay readable, seed " + seed);
    }

    /** Reads to the end; true when the reader refused the file with a CaptureFormatException. */
    private static boolean readAll(Path f, int fileSize, String what) {
        try (CaptureReader reader = CaptureReader.open(f)) {
            long bytes = 0;
            CapturedPacket p;
            while ((p = reader.next()) != null) {
                bytes += p.data().length;
                assertTrue(bytes <= fileSize, "packets larger than the file: " + what);
            }
            return false;
        } catch (CaptureFormatException e) {
            assertTrue(e.getMessage() != null && !e.getMessage().isBlank() && e.getMessage().lines().count() == 1,
                    "a one-line reason: " + e.getMessage() + ", " + what);
            return true;
        } catch (Throwable e) {
            throw new AssertionError("not a clear error: " + e + ", " + what, e);
        }
    }

    private static byte[] mutate(Random r, byte[] original) {
        byte[] b = original.clone();
        int kind = r.nextInt(4);
        if (kind == 0) {
            return java.util.Arrays.copyOf(b, r.nextInt(b.length)); // truncated anywhere
        }
        int edits = 1 + r.nextInt(kind == 1 ? 8 : 3);
        for (int e = 0; e < edits; e++) {
            if (kind == 1) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256); // flipped bytes
            } else {
                // a length field (any aligned word: caplen, block length, option length) made absurd
                int at = r.nextInt(b.length / 4) * 4;
                ByteOrder order = r.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
                ByteBuffer.wrap(b).order(order).putInt(at, ABSURD[r.nextInt(ABSURD.length)]);
            }
        }
        if (kind == 3) {
            b = java.util.Arrays.copyOf(b, r.nextInt(b.length) + 1);
        }
        return b;
    }
}
