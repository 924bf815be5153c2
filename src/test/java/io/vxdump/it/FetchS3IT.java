package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import io.vxdump.testing.S3Server;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code vxdump fetch s3://...} against a real S3 API server (S3Proxy): two instances' files of one
 * session, across midnight UTC, in the layout {@code upload:} writes; the window's edges; objects
 * outside the window never downloaded; a second session never read; stdout into tcpdump; pcapng
 * when link types differ; an unreachable store.
 */
class FetchS3IT {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy/MM/dd").withZone(ZoneOffset.UTC);
    /** 2026-11-30T23:59:00Z: the window crosses midnight, so two day prefixes hold it. */
    private static final long BASE = Instant.parse("2026-11-30T23:59:00Z").getEpochSecond() * 1_000_000_000L;

    @TempDir
    Path dir;

    /** A nanosecond pcap (vxdump's layout) of {@code linkType} holding {@code records}. */
    private static byte[] pcap(List<PcapRecord> records, int linkType) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xA1B23C4D).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(linkType);
        out.writeBytes(h.array());
        for (PcapRecord r : records) {
            ByteBuffer rh = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            rh.putInt((int) (r.timestampNanos() / 1_000_000_000L)).putInt((int) (r.timestampNanos() % 1_000_000_000L))
                    .putInt(r.data().length).putInt(r.origlen());
            out.writeBytes(rh.array());
            out.writeBytes(r.data());
        }
        return out.toByteArray();
    }

    private static PcapRecord record(long ts, int size, int seq) {
        byte[] frame = Frames.sized(size, seq);
        return new PcapRecord(ts, frame.length, frame.length, frame);
    }

    /** Puts a file of {@code records} where {@code upload:} would: {@code fleet/<session>/<day>/<name>}. */
    private static String put(S3Client s3, String session, String instance, int seq, List<PcapRecord> records,
                              int linkType, boolean gzip) throws Exception {
        long first = records.get(0).timestampNanos() / 1_000_000_000L;
        Instant t = Instant.ofEpochSecond(first);
        String name = session + "-" + instance + "-" + STAMP.format(t) + "-" + String.format("%06d", seq) + ".pcap"
                + (gzip ? ".gz" : "");
        byte[] bytes = pcap(records, linkType);
        if (gzip) {
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(z)) {
                g.write(bytes);
            }
            bytes = z.toByteArray();
        }
        String key = "fleet/" + session + "/" + DAY.format(t) + "/" + name;
        s3.putObject(b -> b.bucket("archive").key(key), RequestBody.fromBytes(bytes));
        return key;
    }

    private static String rfc3339(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)).toString();
    }

    private static String[] args(S3Server s3, String... more) {
        List<String> a = new ArrayList<>(List.of("fetch", "s3://archive/fleet", "--endpoint", s3.endpoint().toString(),
                "--path-style"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void twoInstancesInTheStoreBecomeOneCaptureOfTheWindowAndNothingElseIsDownloaded() throws Exception {
        try (S3Server s3 = S3Server.start(dir.resolve("store"), "archive"); S3Client client = s3.client()) {
            // i1 and i2 each write three files of "web", 40 s apart, their records interleaved every 0.5 s;
            // i1 also has a file from an hour before (outside the window and not its series' last).
            List<PcapRecord> all = new ArrayList<>();
            int seq = 0;
            put(client, "web", "i1", 1, List.of(record(BASE - 3_600_000_000_000L, 90, 999)), 1, false);
            for (int instance = 0; instance < 2; instance++) {
                for (int file = 0; file < 3; file++) {
                    List<PcapRecord> records = new ArrayList<>();
                    for (int k = 0; k < 80; k++) {
                        long ts = BASE + file * 40_000_000_000L + k * 500_000_000L + instance * 250_000_000L + k;
                        records.add(record(ts, 100 + (seq % 50), seq++));
                    }
                    put(client, "web", "i" + (instance + 1), file + 2, records, 1, instance == 1 && file == 1);
                    all.addAll(records);
                }
            }
            put(client, "db", "i1", 1, List.of(record(BASE + 1_000_000_000L, 333, 1)), 1, false); // another session

            List<PcapRecord> sorted = all.stream().sorted(Comparator.comparingLong(PcapRecord::timestampNanos)).toList();
            long from = sorted.get(100).timestampNanos(); // in the first files, before midnight
            long to = sorted.get(400).timestampNanos();   // in the third files, after midnight
            List<PcapRecord> expected = all.stream().filter(r -> r.timestampNanos() >= from && r.timestampNanos() < to).toList();
            assertTrue(Instant.ofEpochSecond(to / 1_000_000_000L).toString().startsWith("2026-12-01"), "the window crosses midnight");

            Path out = dir.resolve("out.pcap");
            var r = DaemonProcess.run(dir, s3.env(), args(s3, "--session", "web", "--from", rfc3339(from), "--to", rfc3339(to),
                    "-w", out.toString()));
            assertEquals(0, r.getKey(), r.getValue());
            FetchIT.assertWindow(expected, Libpcap.read(out), from, to);
            // Six files of web overlap the window; the hour-old one and db's are never downloaded.
            assertTrue(r.getValue().contains("vxdump fetch: " + expected.size() + " packet(s) from 6 file(s) of 6 selected "
                    + "(6 object(s), "), r.getValue());
            Requirements.requireProgram("capinfos", "wireshark-common");
            Process capinfos = new ProcessBuilder("capinfos", "-c", "-M", out.toString()).redirectErrorStream(true).start();
            String info = new String(capinfos.getInputStream().readAllBytes());
            assertEquals(0, capinfos.waitFor(), info);
            assertTrue(info.matches("(?s).*Number of packets:\\s+" + expected.size() + "\\b.*"), info);

            var listed = DaemonProcess.run(dir, s3.env(), args(s3, "--from", rfc3339(from), "--to", rfc3339(to), "--list"));
            assertEquals(0, listed.getKey(), listed.getValue());
            List<String> keys = listed.getValue().lines().filter(l -> l.startsWith("s3://")).toList();
            assertEquals(7, keys.size(), "six of web and db's one, without --session:\n" + listed.getValue());
            assertTrue(keys.stream().anyMatch(k -> k.contains("/fleet/db/2026/11/30/")), listed.getValue());
            assertFalse(listed.getValue().contains("web-i1-20261130T225900Z-000001.pcap"),
                    "the hour-old file is not listed: " + listed.getValue());

            // Stdout into tcpdump, as `| wireshark -k -i -` would take it.
            Requirements.requireProgram("tcpdump", "tcpdump");
            List<String> env = s3.env();
            String fetch = String.join(" ", env) + " java -jar " + DaemonProcess.jar().toAbsolutePath() + " "
                    + String.join(" ", args(s3, "--session", "web", "--from", rfc3339(from), "--to", rfc3339(to), "-w", "-"))
                    + " 2>/dev/null";
            Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", fetch + " | tcpdump -r - -n 2>/dev/null | wc -l")
                    .redirectErrorStream(true).start();
            String lines = new String(p.getInputStream().readAllBytes()).trim();
            assertEquals(0, p.waitFor(), lines);
            assertEquals(String.valueOf(expected.size()), lines);
        }
    }

    @Test
    void differentLinkTypesGivePcapngAndAStoreThatIsGoneIsOneLine() throws Exception {
        Path store = dir.resolve("store");
        S3Server s3 = S3Server.start(store, "archive");
        try (s3; S3Client client = s3.client()) {
            put(client, "mixed", "i1", 1, List.of(record(BASE, 100, 1), record(BASE + 2_000_000_000L, 120, 2)), 1, false);
            put(client, "mixed", "i2", 1, List.of(record(BASE + 1_000_000_000L, 110, 3)), 101, false);
            Path out = dir.resolve("mixed.pcapng");
            var r = DaemonProcess.run(dir, s3.env(), args(s3, "--from", rfc3339(BASE), "--to", rfc3339(BASE + 3_000_000_000L),
                    "-w", out.toString()));
            assertEquals(0, r.getKey(), r.getValue());
            assertTrue(r.getValue().contains("different link types [1, 101]: writing pcapng"), r.getValue());
            Requirements.requireProgram("tshark", "tshark");
            Process t = new ProcessBuilder("tshark", "-r", out.toString(), "-T", "fields", "-e", "frame.time_epoch",
                    "-e", "frame.interface_id", "-e", "frame.len").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            List<String> rows = new String(t.getInputStream().readAllBytes()).lines().filter(l -> !l.isBlank()).toList();
            assertEquals(0, t.waitFor(), String.join("\n", rows));
            long s = BASE / 1_000_000_000L;
            assertEquals(List.of(s + ".000000000\t0\t100", (s + 1) + ".000000000\t1\t110", (s + 2) + ".000000000\t0\t120"),
                    rows, "time order across the two interfaces");
            s3.stop();
            var gone = DaemonProcess.run(dir, s3.env(), args(s3, "--from", rfc3339(BASE), "--to", rfc3339(BASE + 3_000_000_000L),
                    "-w", out.toString()));
            assertEquals(1, gone.getKey(), gone.getValue());
            assertTrue(gone.getValue().startsWith("vxdump: s3://archive/fleet: cannot list ("), gone.getValue());
            assertEquals(1, gone.getValue().strip().lines().count(), "one line: " + gone.getValue());
            var bad = DaemonProcess.run(dir, s3.env(), "fetch", "s3://No_Such/x", "--from", "-1h", "-w", out.toString());
            assertEquals(2, bad.getKey(), bad.getValue());
            assertTrue(bad.getValue().contains("'No_Such' is not a bucket name"), bad.getValue());
        }
    }
}
