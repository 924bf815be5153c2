package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class-data archive for {@code serve}: the first start of a jar trains it, the
 * daemon maps it, and what a training cut off earlier left behind (a temporary file of ~13 MB) is
 * removed, while a training another instance may be running now is left alone.
 */
class LauncherCdsIT {
    @TempDir
    Path dir;

    @Test
    void theFirstStartTrainsAnArchiveTheDaemonMapsAndCleansUpACutOffTraining() throws Exception {
        Path cds = dir.resolve("cds");
        Files.createDirectories(cds);
        Path cutOff = cds.resolve(".vxdump-training.cutOff");
        Files.write(cutOff, new byte[4096]);
        Files.setLastModifiedTime(cutOff, FileTime.from(Instant.now().minus(Duration.ofMinutes(20))));
        Path underWay = cds.resolve(".vxdump-training.underWay");
        Files.write(underWay, new byte[4096]);

        try (DaemonProcess d = DaemonProcess.start(dir, List.of("env", "VXDUMP_CDS_DIR=" + cds),
                "--listen", "127.0.0.1:0", "--output", dir.resolve("out").toString(), "--metrics", "off")) {
            List<Path> archives = archives(cds);
            assertEquals(1, archives.size(), "one archive for this jar and java: " + names(cds));
            String maps = Files.readString(Path.of("/proc", String.valueOf(d.pid()), "maps"));
            assertTrue(maps.contains(archives.get(0).toString()), "the daemon maps " + archives.get(0));
            assertEquals(0, d.terminate(30));
        }
        assertFalse(Files.exists(cutOff), "a training file 20 minutes old is removed: " + names(cds));
        assertTrue(Files.exists(underWay), "a training file of now is another start's: kept");
    }

    private static List<Path> archives(Path cds) throws Exception {
        try (Stream<Path> all = Files.list(cds)) {
            return all.filter(p -> p.getFileName().toString().matches("vxdump-[0-9-]+\\.jsa")).toList();
        }
    }

    private static List<String> names(Path cds) throws Exception {
        try (Stream<Path> all = Files.list(cds)) {
            return all.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
