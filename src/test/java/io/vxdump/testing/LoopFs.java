package io.vxdump.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A real block file system for a test: an image file made with mkfs and mounted through a loop
 * device, where direct I/O works as on a disk. Also ramfs, which refuses direct I/O. Needs root;
 * skips (fails under CI) without.
 */
public final class LoopFs implements AutoCloseable {
    private final Path mount;
    private final Path image;

    private LoopFs(Path mount, Path image) {
        this.mount = mount;
        this.image = image;
    }

    /** Makes an ext4 image of {@code megabytes} in {@code dir} and mounts it at {@code dir/mnt}. */
    public static LoopFs ext4(Path dir, int megabytes) throws Exception {
        Requirements.require(Requirements.isRoot(), "mounting a loop device needs root");
        Path image = dir.resolve("ext4.img");
        Path mount = dir.resolve("mnt");
        Files.createDirectories(mount);
        Requirements.require(Requirements.sh("truncate", "-s", megabytes + "M", image.toString()) == 0, "truncate failed");
        Requirements.require(Requirements.sh("mkfs.ext4", "-q", "-F", image.toString()) == 0,
                "mkfs.ext4 failed (is e2fsprogs installed?)");
        Requirements.require(Requirements.sh("mount", "-o", "loop", image.toString(), mount.toString()) == 0,
                "mount -o loop failed (no loop devices here?)");
        return new LoopFs(mount, image);
    }

    /** Mounts a ramfs (no direct I/O, no size limit) at {@code dir}. */
    public static LoopFs ramfs(Path dir) throws Exception {
        Requirements.require(Requirements.isRoot(), "mounting a ramfs needs root");
        Files.createDirectories(dir);
        Requirements.require(Requirements.sh("mount", "-t", "ramfs", "ramfs", dir.toString()) == 0, "mount -t ramfs failed");
        return new LoopFs(dir, null);
    }

    public Path path() {
        return mount;
    }

    @Override
    public void close() throws Exception {
        Requirements.sh("umount", "-l", mount.toString());
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }
}
