package io.vxdump.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and git revision this build was made from (build.properties, filled in by Maven):
 * for {@code vxdump version}, the start-up line and {@code vxdump_build_info}.
 *
 * @param version  the project's version, e.g. {@code 0.1.0}
 * @param revision the abbreviated commit, or {@code unknown} when built outside a git checkout
 */
public record BuildInfo(String version, String revision) {
    private static final BuildInfo CURRENT = load();

    public static BuildInfo current() {
        return CURRENT;
    }

    /** {@code vxdump 0.1.0 (3f2c1ab)}. */
    public String describe() {
        return "vxdump " + version + " (" + revision + ")";
    }

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // a broken jar: the version is then unknown, which the line says
        }
        return new BuildInfo(filled(p.getProperty("version")), filled(p.getProperty("revision")));
    }

    /** Unfiltered placeholders (run from an IDE without Maven) read as unknown. */
    private static String filled(String v) {
        return v == null || v.isBlank() || v.startsWith("${") ? "unknown" : v;
    }
}
