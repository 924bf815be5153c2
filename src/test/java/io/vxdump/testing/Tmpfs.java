package io.vxdump.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** A small real tmpfs mounted for a test: a file system that fills up. Needs root; skips (fails under CI) without. */
public final class Tmpfs implements AutoCloseable {
    private final Path mount;

    private Tmpfs(Path mount) {
        this.mount = mount;
    }

    /** Mounts a tmpfs of {@code size} (as mount(8) writes it: 512k, 2m) at {@code dir}. */
    public static Tmpfs mount(Path dir, String size) throws Exception {
        Requirements.require(Requirements.isRoot(), "mounting a tmpfs needs root");
        Files.createDirectories(dir);
        int status = Requirements.sh("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", dir.toString());
        Requirements.require(status == 0, "mount -t tmpfs failed (no CAP_SYS_ADMIN here?)");
        return new Tmpfs(dir);
    }

    public Path path() {
        return mount;
    }

    /** Remounts read-only ({@code true}) or read-write. */
    public void readOnly(boolean readOnly) {
        if (Requirements.sh("mount", "-o", readOnly ? "remount,ro" : "remount,rw", mount.toString()) != 0) {
            throw new AssertionError("remount of " + mount + " failed");
        }
    }

    @Override
    public void close() {
        Requirements.sh("umount", "-l", mount.toString());
    }
}
