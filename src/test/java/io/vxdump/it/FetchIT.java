package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vxdump fetch} on real archives: two instances' output directories of one session merged
 * into one time-ordered pcap, the window's edges to the microsecond, a tcpdump expression judged
 * by tcpdump itself, stdout into tcpdump and tshark, gzip, a cut file and a bad expression.
 */
class FetchIT {
    @TempDir
    Path dir;

    private static String rfc3339(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private static List<PcapRecord> records(List<Path> files) {
        List<PcapRecord> all = new ArrayList<>();
        for (Path f : files) {
            all.addAll(Libpcap.read(f));
        }
        return all;
    }

    /** Records in timestamp order; equal timestamps by their bytes, so two lists compare as sets in time order. */
    static List<String> canonical(List<PcapRecord> records) {
        return records.stream().sorted(Comparator.comparingLong(PcapRecord::timestampNanos)
                        .thenComparing(r -> HexFormat.of().formatHex(r.data())))
                .map(r -> r.timestampNanos() + " " + r.origlen() + " " + HexFormat.of().formatHex(r.data())).toList();
    }

    /** {@code got} is {@code expected} in time order, with the record at {@code from} and none at {@code to}. */
    static void assertWindow(List<PcapRecord> expected, List<PcapRecord> got, long from, long to) {
        assertEquals(canonical(expected), canonical(got), "exactly the window's records of both instances");
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i).timestampNanos() >= got.get(i - 1).timestampNanos(), "time order at record " + i);
        }
        assertEquals(from, got.get(0).timestampNanos(), "a record exactly at --from is in");
        assertTrue(got.stream().noneMatch(p -> p.timestampNanos() == to), "a record exactly at --to is out");
    }

    @Test
    void twoInstancesOfOneSessionBecomeOneTimeOrderedCaptureOfTheWindow() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        DaemonProcess da = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", a.toString(), "--threads", "1",
                "--instance-id", "i1");
        DaemonProcess db = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", b.toString(), "--threads", "1",
                "--instance-id", "i2");
        try (da; db) {
            for (int i = 0; i < 60; i++) {
                (i % 2 == 0 ? da : db).send(List.of(vxlan(5, Frames.sized(100 + i, i))));
                if (i % 3 == 0) {
                    da.send(List.of(vxlan(6, Frames.sized(333, i)))); // another session: never fetched here
                }
                if (i == 30) {
                    SignalsIT.signal(da, "USR1"); // two files per series
                    SignalsIT.signal(db, "USR1");
                }
                Thread.sleep(3);
            }
            assertEquals(0, da.terminate(20));
            assertEquals(0, db.terminate(20));
        }
        List<Path> inputs = new ArrayList<>(SignalsIT.filesEnding(a.resolve("vni-5"), ".pcap"));
        inputs.addAll(SignalsIT.filesEnding(b.resolve("vni-5"), ".pcap"));
        assertTrue(inputs.size() >= 3, inputs.toString());
        List<PcapRecord> all = records(inputs);
        assertEquals(60, all.size());
        List<PcapRecord> sorted = all.stream().sorted(Comparator.comparingLong(PcapRecord::timestampNanos)).toList();
        long from = sorted.get(7).timestampNanos();
        long to = sorted.get(47).timestampNanos();
        List<PcapRecord> expected = all.stream().filter(r -> r.timestampNanos() >= from && r.timestampNanos() < to).toList();

        Path out = dir.resolve("out.pcap");
        var r = DaemonProcess.run(dir, "fetch", a.toString(), b.toString(), "--session", "vni-5", "--from", rfc3339(from),
                "--to", rfc3339(to), "-w", out.toString());
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("vxdump fetch: " + expected.size() + " packet(s)"), r.getValue());
        List<PcapRecord> got = Libpcap.read(out);
        assertWindow(expected, got, from, to);
        assertTrue(got.stream().noneMatch(p -> p.caplen() == 333), "no packet of another session");
        Requirements.requireProgram("capinfos", "wireshark-common");
        Process capinfos = new ProcessBuilder("capinfos", "-c", "-M", out.toString()).redirectErrorStream(true).start();
        String info = new String(capinfos.getInputStream().readAllBytes());
        assertEquals(0, capinfos.waitFor(), info);
        assertTrue(info.matches("(?s).*Number of packets:\\s+" + expected.size() + "\\b.*"), info);

        var listed = DaemonProcess.run(dir, "fetch", a.toString(), b.toString(), "--session", "vni-5", "--from",
                rfc3339(from), "--to", rfc3339(to), "--list", "-w", "-");
        assertEquals(0, listed.getKey(), listed.getValue());
        for (Path f : inputs) {
            assertTrue(listed.getValue().contains(f.toString()), f + " listed:\n" + listed.getValue());
        }

        // Stdout, as `| wireshark -k -i -` takes it: tcpdump and tshark read the stream cleanly.
        Requirements.requireProgram("tcpdump", "tcpdump");
        Requirements.requireProgram("tshark", "tshark");
        String fetch = "java -jar " + DaemonProcess.jar().toAbsolutePath() + " fetch " + a + " " + b
                + " --session vni-5 --from " + rfc3339(from) + " --to " + rfc3339(to) + " -w - 2>/dev/null";
        for (String reader : List.of("tcpdump -r - -n 2>/dev/null | wc -l", "tshark -r - 2>/dev/null | wc -l")) {
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", fetch + " | " + reader).redirectErrorStream(true).start();
            String lines = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.waitFor(), reader + ": " + lines);
            assertEquals(String.valueOf(expected.size()), lines, reader);
        }
    }

    /** A capture in an archive's layout: {@code <root>/<session>/<session>-x-<first second>-000001.pcap}. */
    private static Path archived(Path root, Path capture, String suffix) throws Exception {
        long first = Libpcap.read(capture).get(0).timestampNanos();
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(first / 1_000_000_000L));
        Path d = Files.createDirectories(root.resolve("cap"));
        return d.resolve("cap-x-" + stamp + "-000001.pcap" + suffix);
    }

    @Test
    void aTcpdumpExpressionSelectsWhatTcpdumpSelects() throws Exception {
        Requirements.requireProgram("tcpdump", "tcpdump");
        Path capture = Requirements.sharedCaptures().resolve("vxlan.pcap");
        Path root = dir.resolve("archive");
        Files.copy(capture, archived(root, capture, ""));
        List<PcapRecord> all = Libpcap.read(capture);
        String from = rfc3339(all.get(0).timestampNanos());
        String to = rfc3339(all.get(all.size() - 1).timestampNanos() + 1);
        for (String expression : List.of("src host 192.168.203.1", "udp dst port 4789 and src host 192.168.202.1",
                "greater 120")) {
            Path oracle = dir.resolve("oracle.pcap");
            List<String> tcpdump = new ArrayList<>(List.of("tcpdump", "-r", capture.toString(), "-w", oracle.toString()));
            tcpdump.addAll(List.of(expression.split(" ")));
            assertEquals(0, new ProcessBuilder(tcpdump).redirectErrorStream(true).start().waitFor());
            Path out = dir.resolve("fetched.pcap");
            List<String> args = new ArrayList<>(List.of("fetch", root.toString(), "--from", from, "--to", to, "-w", out.toString()));
            args.addAll(2, List.of(expression.split(" ")));
            var r = DaemonProcess.run(dir, args.toArray(String[]::new));
            assertEquals(0, r.getKey(), r.getValue());
            List<PcapRecord> want = Libpcap.read(oracle);
            assertFalse(want.isEmpty() || want.size() == all.size(), expression + " selects a part");
            assertEquals(want, Libpcap.read(out), expression);
        }
    }

    @Test
    void gzipACutFileAndABadExpression() throws Exception {
        Path capture = Requirements.sharedCaptures().resolve("vxlan.pcap");
        List<PcapRecord> all = Libpcap.read(capture);
        String from = rfc3339(all.get(0).timestampNanos());
        String to = rfc3339(all.get(all.size() - 1).timestampNanos() + 1);

        Path gz = dir.resolve("gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(archived(gz, capture, ".gz")))) {
            o.write(Files.readAllBytes(capture));
        }
        Path out = dir.resolve("out.pcap");
        var r = DaemonProcess.run(dir, "fetch", gz.toString(), "--from", from, "--to", to, "-w", out.toString());
        assertEquals(0, r.getKey(), r.getValue());
        assertEquals(all, Libpcap.read(out), "a .pcap.gz reads as its pcap");

        Path cut = dir.resolve("cut");
        byte[] bytes = Files.readAllBytes(capture);
        Files.write(archived(cut, capture, ""), java.util.Arrays.copyOf(bytes, bytes.length - 10));
        r = DaemonProcess.run(dir, "fetch", cut.toString(), "--from", from, "--to", to, "-w", out.toString());
        assertEquals(1, r.getKey(), "a file not read whole is a non-zero exit: " + r.getValue());
        assertTrue(r.getValue().contains("truncated") && r.getValue().contains((all.size() - 1) + " whole record(s)"),
                r.getValue());
        assertFalse(r.getValue().contains("\tat "), "no stack trace: " + r.getValue());
        assertEquals(all.subList(0, all.size() - 1), Libpcap.read(out), "every whole record is used");
        r = DaemonProcess.run(dir, "fetch", cut.toString(), "--from", from, "--to", to, "--ignore-unreadable", "-w", out.toString());
        assertEquals(0, r.getKey(), r.getValue());

        r = DaemonProcess.run(dir, "fetch", gz.toString(), "--from", from, "--to", to, "tcp", "portt", "80", "-w", out.toString());
        assertEquals(2, r.getKey(), r.getValue());
        assertTrue(r.getValue().startsWith("vxdump: filter 'tcp portt 80': "), r.getValue());
        assertEquals(1, r.getValue().strip().lines().count(), "one line: " + r.getValue());

        r = DaemonProcess.run(dir, "fetch", gz.toString(), "--from", "yesterday", "-w", out.toString());
        assertEquals(2, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("--from: 'yesterday' is not a time"), r.getValue());
        Map.Entry<Integer, String> none = DaemonProcess.run(dir, "fetch", dir.resolve("missing").toString(), "--from", "-1h",
                "-w", out.toString());
        assertEquals(2, none.getKey(), none.getValue());
    }
}
