package io.vxdump.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which finished files are in the store: an empty marker file per uploaded file, under
 * {@code <output>/.vxdump-uploads/<session>/<file>.uploaded} (not {@code *.pcap}, so that a
 * {@code find -name '*.pcap'} over the output never takes a marker for a capture). A file without one is in the backlog, so the backlog
 * is found again after a restart, and a crash during an upload (no marker yet) uploads it again.
 * The marker is written after the store confirmed the upload, and removed with the file.
 */
public final class UploadLedger {
    static final String DIRECTORY = ".vxdump-uploads";
    static final String SUFFIX = ".uploaded";
    private final Path root;

    public UploadLedger(Path output) {
        this.root = output.resolve(DIRECTORY);
    }

    private Path marker(Path file) {
        return root.resolve(file.getParent().getFileName().toString()).resolve(file.getFileName() + SUFFIX);
    }

    /** Before 0.2 a marker had the file's own name; such a marker still counts, renamed on sight. */
    private Path oldMarker(Path file) {
        return root.resolve(file.getParent().getFileName().toString()).resolve(file.getFileName().toString());
    }

    public boolean uploaded(Path file) {
        if (Files.exists(marker(file))) {
            return true;
        }
        Path old = oldMarker(file);
        if (Files.exists(old)) {
            try {
                Files.move(old, marker(file), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // counts as uploaded either way
            }
            return true;
        }
        return false;
    }

    /** Records a confirmed upload (synced, so a crash cannot make it upload twice for nothing). */
    public void markUploaded(Path file) throws IOException {
        Path m = marker(file);
        io.vxdump.pcap.FileModes.createDirectories(m.getParent());
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(m, java.util.Set.of(
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE),
                io.vxdump.pcap.FileModes.created(m))) {
            c.force(true);
        }
        io.vxdump.pcap.FileModes.restrict(m);
    }

    /** The file is gone: so is its marker. */
    public void forget(Path file) {
        try {
            Files.deleteIfExists(marker(file));
            Files.deleteIfExists(oldMarker(file));
        } catch (IOException e) {
            // a stray empty marker costs nothing
        }
    }
}
