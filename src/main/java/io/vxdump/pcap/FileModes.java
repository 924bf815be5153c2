package io.vxdump.pcap;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Captures hold other people's traffic: every file vxdump makes is 0640 and every directory 0750,
 * whatever the process's umask (which only ever takes bits away, and 022 would leave them
 * world-readable). Readers get access through the daemon's group.
 */
public final class FileModes {
    /** rw-r-----. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-r-----");
    /** rwxr-x---. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwxr-x---");

    private FileModes() {
    }

    /**
     * The attribute that creates a file 0640 (less what the umask takes) in the same system call
     * that makes it, for {@code FileChannel.open}: set after the creation, a reader could open the
     * file in between (0644 under umask 022). None where the file system has no POSIX modes.
     */
    public static java.nio.file.attribute.FileAttribute<?>[] created(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix")
                ? new java.nio.file.attribute.FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
                : new java.nio.file.attribute.FileAttribute<?>[0];
    }

    /** Sets a file vxdump just created to 0640 (where the file system has POSIX modes at all): what the umask took back. */
    public static void restrict(Path file) throws IOException {
        setMode(file, FILE);
    }

    private static void setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (view != null) {
            view.setPermissions(mode);
        }
    }

    /**
     * {@link Files#createDirectories}, with every directory it makes set to 0750 (existing ones are
     * left as the operator made them).
     */
    public static Path createDirectories(Path dir) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        Path parent = absolute.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(absolute);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
            return dir;
        }
        setMode(absolute, DIRECTORY);
        return dir;
    }
}
