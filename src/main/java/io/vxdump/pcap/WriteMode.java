package io.vxdump.pcap;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How the writer puts bytes into files: direct I/O from block-aligned buffers (no page-cache copy,
 * as Arkime, stenographer and n2disk write), or buffered writes where the file system refuses
 * direct I/O (tmpfs, some overlays). Decided once at start by a probe write in the output
 * directory, and named in the start-up line.
 *
 * @param direct    files are opened with {@code O_DIRECT}
 * @param alignment positions and lengths of direct writes are multiples of this (1 when buffered)
 * @param reason    why this mode, for the start-up line
 */
public record WriteMode(boolean direct, int alignment, String reason) {

    /** What the configuration asks for. */
    public enum Choice { AUTO, DIRECT, BUFFERED }

    /** Buffered writes. */
    public static WriteMode buffered(String reason) {
        return new WriteMode(false, 1, reason);
    }

    /**
     * Probes {@code directory}: opens a scratch file with {@code O_DIRECT} and writes one aligned
     * block. {@link Choice#DIRECT} fails with an {@link IOException} where that does not work;
     * {@link Choice#AUTO} falls back to buffered writes.
     */
    public static WriteMode probe(Path directory, Choice choice) throws IOException {
        if (choice == Choice.BUFFERED) {
            return buffered("buffered I/O (configured)");
        }
        Path scratch = directory.resolve(".vxdump-direct-io-probe");
        Files.deleteIfExists(scratch);
        try {
            int block = (int) Math.max(512, Files.getFileStore(directory).getBlockSize());
            ByteBuffer b = ByteBuffer.allocateDirect(block * 2).alignedSlice(block);
            b.limit(block);
            try (FileChannel c = FileChannel.open(scratch, options(true, true))) {
                c.write(b, 0);
            }
            return new WriteMode(true, block, "direct I/O (" + block + "-byte blocks)");
        } catch (IOException e) { // EINVAL where the file system has no O_DIRECT
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (choice == Choice.DIRECT) {
                throw new IOException("direct I/O is not possible in " + directory + ": " + why);
            }
            return buffered("buffered I/O (the file system refused direct I/O: " + why + ")");
        } finally {
            Files.deleteIfExists(scratch);
        }
    }

    /** Options to open a file for writing in this mode. */
    Set<OpenOption> openOptions(boolean create) {
        return options(direct, create);
    }

    private static Set<OpenOption> options(boolean direct, boolean create) {
        Set<OpenOption> s = new HashSet<>(List.of(StandardOpenOption.WRITE, StandardOpenOption.READ));
        if (create) {
            s.add(StandardOpenOption.CREATE_NEW);
        }
        if (direct) {
            s.add(ExtendedOpenOption.DIRECT);
        }
        return s;
    }

    /** {@code n} rounded down to the alignment. */
    long alignDown(long n) {
        return n - n % alignment;
    }

    /** {@code n} rounded up to the alignment. */
    long alignUp(long n) {
        long r = n % alignment;
        return r == 0 ? n : n + alignment - r;
    }
}
