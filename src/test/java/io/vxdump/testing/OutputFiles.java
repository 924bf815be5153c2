package io.vxdump.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * The files under a directory a running daemon is writing. {@code Files.walk} stats every entry it lists and
 * throws when one is renamed between the listing and the stat ({@code x.pcap.part} → {@code x.pcap}, CI
 * 2026-12-02); here an entry gone by then is skipped: the next poll sees it under its new name.
 */
public final class OutputFiles {
    private OutputFiles() {}

    /** Entries under {@code root} (files and directories, as {@code Files.walk}) whose path ends with {@code suffix}, sorted; none if root is missing. */
    public static List<Path> ending(Path root, String suffix) throws IOException {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return found;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return visitFile(d, attrs);
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.toString().endsWith(suffix)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        found.sort(null);
        return found;
    }
}
