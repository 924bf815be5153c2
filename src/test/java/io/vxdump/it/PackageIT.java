package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package the build makes, installed with {@code dpkg -i} into a scratch root (dpkg
 * --root, maintainer scripts run chrootless with DPKG_ROOT): its files and modes, the vxdump user
 * its postinst makes, the conffile's group, then {@code vxdump check-config} and {@code vxdump
 * serve} run from the installed tree, the unit checked by {@code systemd-analyze verify} and its
 * hardening scored offline, and a purge that leaves the captures.
 */
class PackageIT {
    @TempDir
    Path dir;
    private Path root;
    private Path deb;

    /** Runs a command; its exit status and output. */
    private static Map.Entry<Integer, String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return Map.entry(p.exitValue(), out);
    }

    private static String ok(String... command) throws Exception {
        Map.Entry<Integer, String> r = run(command);
        assertEquals(0, r.getKey(), () -> String.join(" ", command) + ":\n" + r.getValue());
        return r.getValue();
    }

    @BeforeEach
    void installIntoAScratchRoot() throws Exception {
        Requirements.require(Requirements.isRoot(), "installing a package (chown to the vxdump group) needs root");
        Requirements.requireProgram("dpkg", "dpkg");
        Requirements.requireProgram("useradd", "passwd");
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            deb = files.filter(f -> f.getFileName().toString().matches("vxdump_.*_all\\.deb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/vxdump_*_all.deb: mvn package builds it"));
        }
        root = dir.resolve("root");
        Files.createDirectories(root.resolve("var/lib/dpkg/info"));
        Files.createDirectories(root.resolve("var/lib/dpkg/updates"));
        Files.createFile(root.resolve("var/lib/dpkg/status"));
        Files.createFile(root.resolve("var/lib/dpkg/available"));
        Files.createDirectories(root.resolve("etc"));
        for (String f : List.of("passwd", "group", "shadow", "gshadow", "login.defs")) {
            Path host = Path.of("/etc", f);
            if (Files.exists(host)) {
                Files.copy(host, root.resolve("etc").resolve(f));
            }
        }
        // No Java package in the scratch root's database: the dependency is the host's JDK.
        ok("dpkg", "--root=" + root, "--force-script-chrootless", "--force-depends", "-i", deb.toString());
    }

    @Test
    void theInstalledTreeHasItsFilesUserAndModes() throws Exception {
        String contents = ok("dpkg-deb", "-c", deb.toString());
        for (String entry : List.of("-rwxr-xr-x root/root .* ./usr/bin/vxdump", "-rw-r--r-- root/root .* ./usr/share/vxdump/vxdump.jar",
                "-rw-r--r-- root/root .* ./usr/lib/systemd/system/vxdump.service", "-rw-r--r-- root/root .* ./usr/lib/sysctl.d/60-vxdump.conf",
                "-rw-r----- root/root .* ./etc/vxdump/vxdump.yaml", "./usr/share/doc/vxdump/copyright",
                "./usr/share/doc/vxdump/vxdump-alerts.yml", "./usr/share/doc/vxdump/vxdump-dashboard.json",
                "./usr/share/doc/vxdump/vxdump-ring.nft",
                "./usr/share/doc/vxdump/README.md", "./usr/share/doc/vxdump/CHANGELOG.md")) {
            String regex = entry.replace(".", "\\.").replace("\\.*", ".*");
            assertTrue(Pattern.compile("(?m)" + (entry.startsWith("-") ? "^" : " ") + regex + "$").matcher(contents).find(),
                    entry + " in:\n" + contents);
        }
        assertEquals("/etc/vxdump/vxdump.yaml\n", ok("dpkg-deb", "-I", deb.toString(), "conffiles"));
        assertTrue(ok("dpkg-deb", "-f", deb.toString(), "Depends").contains("java17-runtime-headless"));

        String passwd = Files.readString(root.resolve("etc/passwd"));
        Matcher user = Pattern.compile("(?m)^vxdump:x:(\\d+):(\\d+):[^:]*:/var/lib/vxdump:/usr/sbin/nologin$").matcher(passwd);
        assertTrue(user.find(), "the postinst made the system user:\n" + passwd);
        assertTrue(Integer.parseInt(user.group(1)) < 1000, "a system uid");
        Matcher group = Pattern.compile("(?m)^vxdump:x:(\\d+):").matcher(Files.readString(root.resolve("etc/group")));
        assertTrue(group.find(), "and its group");
        Path conf = root.resolve("etc/vxdump/vxdump.yaml");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf)));
        assertEquals(Integer.parseInt(group.group(1)), Files.getAttribute(conf, "unix:gid"), "root:vxdump");
        assertEquals(0, Files.getAttribute(conf, "unix:uid"));
        assertTrue(ok("dpkg", "--root=" + root, "-s", "vxdump").contains("Status: install ok installed"));
    }

    @Test
    void checkConfigAndServeRunFromTheInstalledTree() throws Exception {
        Path launcher = root.resolve("usr/bin/vxdump");
        Path conf = root.resolve("etc/vxdump/vxdump.yaml");
        Map.Entry<Integer, String> check = run("env", "-u", "VXDUMP_JAR", "-u", "JAVA", "-u", "JAVA_HOME",
                launcher.toString(), "check-config", conf.toString());
        assertEquals(0, check.getKey(), check.getValue());
        assertTrue(check.getValue().contains("output: /var/lib/vxdump/captures"), check.getValue());
        assertTrue(check.getValue().strip().endsWith(conf + ": OK"), check.getValue());

        Path out = dir.resolve("captures");
        DaemonProcess d = DaemonProcess.startInstalled(dir, launcher, "--config", conf.toString(),
                "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--output", out.toString());
        try (d) {
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                frames.add(vxlan(100, Frames.sized(200, i)));
            }
            d.send(frames);
            assertEquals(200, d.http("/healthz", null).getKey());
            assertEquals(0, d.terminate(20));
        }
        Path session = out.resolve("vni-100");
        try (Stream<Path> files = Files.list(session)) {
            List<Path> pcaps = files.filter(f -> f.toString().endsWith(".pcap")).toList();
            assertEquals(1, pcaps.size(), "one finished file");
            assertEquals(20, Libpcap.read(pcaps.get(0)).size());
        }
    }

    @Test
    void theUnitVerifiesAndItsHardeningScoresLow() throws Exception {
        Requirements.requireProgram("systemd-analyze", "systemd");
        // What systemd-analyze verify needs of a system around the unit: the targets it is ordered
        // after, and the programs it runs (/usr/bin/vxdump is the package's own).
        copyTree(Path.of("/usr/lib/systemd/system"), root.resolve("usr/lib/systemd/system"));
        Files.copy(Path.of("/usr/bin/kill"), root.resolve("usr/bin/kill"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        String unit = "/usr/lib/systemd/system/vxdump.service";
        Map.Entry<Integer, String> verify = run("systemd-analyze", "verify", "--root=" + root, unit);
        assertEquals(0, verify.getKey(), verify.getValue());
        assertEquals("", verify.getValue().strip(), "no warnings");

        String security = ok("systemd-analyze", "security", "--offline=true", "--root=" + root, "vxdump.service");
        Matcher level = Pattern.compile("Overall exposure level for vxdump\\.service: ([0-9.]+)").matcher(security);
        assertTrue(level.find(), security);
        assertTrue(Double.parseDouble(level.group(1)) <= 2.0, "exposure " + level.group(1) + ":\n" + security);
        for (String setting : List.of("SystemCallFilter=~@privileged", "SystemCallArchitectures=", "ProtectClock=",
                "ProtectKernelLogs=", "ProtectHostname=", "ProtectProc=", "NoNewPrivileges=", "PrivateDevices=")) {
            assertTrue(Pattern.compile("(?m)^✓ " + Pattern.quote(setting)).matcher(security).find(),
                    setting + " set:\n" + security);
        }
        String text = Files.readString(root.resolve(unit.substring(1)));
        for (String line : List.of("StateDirectory=vxdump", "WorkingDirectory=/var/lib/vxdump", "UMask=0027",
                "Environment=_JAVA_SR_SIGNUM=39", "ExecStart=/usr/bin/vxdump serve --config /etc/vxdump/vxdump.yaml",
                "ExecStartPre=/usr/bin/vxdump check-config /etc/vxdump/vxdump.yaml",
                "Documentation=file:/usr/share/doc/vxdump/README.md")) {
            assertTrue(text.contains(line + "\n") || text.contains(line + " "), line);
        }
    }

    @Test
    void purgeRemovesTheConfigurationAndKeepsTheCaptures() throws Exception {
        Path captures = Files.createDirectories(root.resolve("var/lib/vxdump/captures/web"));
        Files.writeString(captures.resolve("evidence.pcap"), "kept");
        ok("dpkg", "--root=" + root, "--force-script-chrootless", "--purge", "vxdump");
        assertFalse(Files.exists(root.resolve("etc/vxdump")), "the configuration is gone");
        assertFalse(Files.exists(root.resolve("usr/bin/vxdump")));
        assertTrue(Files.exists(captures.resolve("evidence.pcap")), "captures are evidence: they stay");
        assertTrue(Files.readString(root.resolve("etc/passwd")).contains("\nvxdump:"), "the user stays (it owns them)");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createDirectories(target.getParent());
                        Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                    }
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!Files.exists(target)) {
                    Files.copy(p, target);
                }
            }
        }
    }
}
