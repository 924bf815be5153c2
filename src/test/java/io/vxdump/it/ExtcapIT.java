package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vxdump extcap} with real Wireshark: the wrapper installed by {@code extcap --install} into a
 * scratch extcap folder ({@code WIRESHARK_EXTCAP_DIR}, which Wireshark honours only for a user other
 * than root: tshark runs as nobody, with the root group that the daemon's socket and output
 * directory admit), {@code tshark -D} lists the sessions, and {@code tshark -i} captures what the
 * daemon's file holds. A user outside the daemon's group is refused by the file system.
 */
class ExtcapIT {
    private static final String NOBODY = "65534";

    @TempDir
    Path dir;

    /** A command as nobody; with the root group (the daemon's) when {@code daemonGroup}. */
    private List<String> asNobody(boolean daemonGroup, String... command) {
        List<String> c = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                daemonGroup ? "--groups=0" : "--clear-groups", "env", "HOME=" + dir.resolve("home"),
                "WIRESHARK_EXTCAP_DIR=" + dir.resolve("extcap"), "JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "VXDUMP_JAR=" + DaemonProcess.jar().toAbsolutePath()));
        c.addAll(List.of(command));
        return c;
    }

    private String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void tsharkListsTheSessionsAndCapturesWhatTheFileHolds() throws Exception {
        Requirements.requireProgram("tshark", "tshark");
        Requirements.requireProgram("setpriv", "util-linux");
        Requirements.require("0".equals(run(List.of("id", "-u")).strip()), "needs root (to run tshark as another user)");
        // The scratch tree must be reachable by nobody; the daemon's own output directory is 0750.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("home"));
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path out = dir.resolve("out");
        Path socket = out.resolve("live.socket");

        var installed = DaemonProcess.run(dir, "extcap", "--socket", socket.toString(), "--install", dir.resolve("extcap").toString());
        assertEquals(0, installed.getKey(), installed.getValue());
        Path wrapper = dir.resolve("extcap").resolve("vxdump");
        assertEquals(wrapper.toString(), installed.getValue().strip());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(wrapper)));

        // Wireshark checks a capture filter as it is typed: silence means valid, else the reason.
        var valid = DaemonProcess.run(dir, "extcap", "--extcap-interface", "vxdump-all", "--extcap-capture-filter", "tcp port 443");
        assertEquals(0, valid.getKey());
        assertEquals("", valid.getValue().strip());
        var invalid = DaemonProcess.run(dir, "extcap", "--extcap-interface", "vxdump-all", "--extcap-capture-filter", "tcp portt 1");
        assertEquals("filter 'tcp portt 1': can't parse filter expression: syntax error", invalid.getValue().strip());

        String idle = run(asNobody(true, "tshark", "-D"));
        assertTrue(idle.contains("vxdump-not-running (vxdump is not running (" + socket + ": no live socket))"), idle);

        // No rotation by the clock: a 5-minute boundary during the test split vni-5's file in two, and
        // the first of them (finished already) was taken for the one USR1 finishes (CI, 16:55:00).
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1",
                "--rotate-interval", "0");
        Path captured = work.resolve("captured.pcapng");
        try (d) {
            d.send(List.of(vxlan(5, Frames.sized(100, 0)), vxlan(6, Frames.sized(100, 0))));
            SignalsIT.waitFor(() -> d.log().contains("vni-6"), "sessions made");
            String listed = run(asNobody(true, "tshark", "-D"));
            assertTrue(listed.contains("vxdump-all (vxdump: all sessions)"), listed);
            assertTrue(listed.contains("vxdump-vni-5 (vxdump: session vni-5)"), listed);
            assertTrue(listed.contains("vxdump-vni-6 (vxdump: session vni-6)"), listed);

            // Packets to both sessions for the whole capture and beyond; tshark takes vni-5 for 4 s.
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sender = new Thread(() -> {
                int i = 1;
                while (sending.get()) {
                    try {
                        d.send(List.of(vxlan(5, Frames.sized(90 + i % 500, i)), vxlan(6, Frames.sized(200, i))));
                        Thread.sleep(10);
                    } catch (Exception e) {
                        return;
                    }
                    i++;
                }
            });
            sender.start();
            String tshark = run(asNobody(true, "tshark", "-i", "vxdump-vni-5", "-a", "duration:4", "-w", captured.toString()));
            sending.set(false);
            sender.join();
            assertTrue(tshark.contains("packets captured"), tshark);
            SignalsIT.signal(d, "USR1");
            SignalsIT.waitFor(() -> SignalsIT.filesEnding(out.resolve("vni-5"), ".pcap").size() == 1, "vni-5's file is finished");

            // Someone outside the daemon's group: refused by the file system, with a line that says so.
            String refused = run(asNobody(false, DaemonProcess.launcher().toString(), "tail", "--socket", socket.toString(),
                    "-c", "1", "-w", work.resolve("x.pcap").toString()));
            assertTrue(refused.strip().startsWith("vxdump: " + socket + ": permission denied"), refused);
            assertEquals(0, d.terminate(20));
        }
        List<PcapRecord> file = Libpcap.read(SignalsIT.filesEnding(out.resolve("vni-5"), ".pcap").get(0));
        List<PcapRecord> live = Libpcap.read(captured);
        assertTrue(live.size() > 50, "tshark captured " + live.size() + " packets");
        int first = file.indexOf(live.get(0));
        assertTrue(first > 0, "tshark's first packet is in the daemon's file (same time, same bytes)");
        assertEquals(file.subList(first, first + live.size()), live,
                "what tshark captured is the daemon's file for the same period, record for record");
    }
}
