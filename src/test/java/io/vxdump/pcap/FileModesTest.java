package io.vxdump.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileModesTest {
    @TempDir
    Path dir;

    @Test
    void aFileIsNeverWorldReadableNotEvenBeforeItsModeIsSet() throws Exception {
        // Under the usual umask 022 a plain create gives 0644; the attribute gives 0640 less the umask.
        Path f = dir.resolve("capture.part");
        try (FileChannel c = FileChannel.open(f, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                FileModes.created(f))) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(f));
            assertEquals("---", mode.substring(6), mode);
            assertEquals("-", mode.substring(5, 6), "no group write: " + mode);
        }
    }
}
