package io.vxdump.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which finished files are in the store: an empty marker file per uploaded file, under
 * {@code <output>/.vxdump-uploads/<session>/}. A file without one is in the backlog, so the backlog
 * is found again after a restart, and a crash during an upload (no marker yet) uploads it again.
 * The marker is written after the store confirmed the upload, and removed with the file.
 */
public final class UploadLedger {
    static final String DIRECTORY = ".vxdump-uploads";
    private final Path root;

    public UploadLedger(Path output) {
        this.root = output.resolve(DIRECTORY);
    }

    private Path marker(Path file) {
        return root.resolve(file.getParent().getFileName().toString()).resolve(file.getFileName().toString());
    }

    public boolean uploaded(Path file) {
        return Files.exists(marker(file));
    }

    /** Records a confirmed upload (synced, so a crash cannot make it upload twice for nothing). */
    public void markUploaded(Path file) throws IOException {
        Path m = marker(file);
        Files.createDirectories(m.getParent());
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(m,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
            c.force(true);
        }
    }

    /** The file is gone: so is its marker. */
    public void forget(Path file) {
        try {
            Files.deleteIfExists(marker(file));
        } catch (IOException e) {
            // a stray empty marker costs nothing
        }
    }
}
