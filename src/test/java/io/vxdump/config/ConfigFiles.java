package io.vxdump.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;

/** A YAML text written to {@code dir/vxdump.yaml} and read as serve reads it. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static ServeConfig load(Path dir, String yaml) throws Exception {
        Path f = dir.resolve("vxdump.yaml");
        Files.writeString(f, yaml);
        ConfigBuilder b = new ConfigBuilder();
        ConfigFile.apply(f, b);
        return b.build();
    }

    /** The one-line error the text gets. */
    static String error(Path dir, String yaml) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(dir, yaml));
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        return e.getMessage();
    }
}
