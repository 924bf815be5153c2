package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.OutputFiles;
import io.vxdump.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Finished files shipped to a real S3 API server (S3Proxy): keys, bytes, multipart, outages, restarts. */
class UploadIT {
    private static final String BUCKET = "captures";

    @TempDir
    Path dir;

    private Path config(S3Server s3, String extra) throws Exception {
        Path c = dir.resolve("vxdump.yaml");
        Files.writeString(c, "upload: {to: s3://" + BUCKET + "/sensors/eu, endpoint: " + s3.endpoint()
                + ", path-style: true, part-size: 5MiB, max-backlog-age: 1s, shutdown-timeout: 3s}\n" + extra);
        return c;
    }

    private static Map<String, byte[]> objects(S3Client client) {
        Map<String, byte[]> out = new HashMap<>();
        for (S3Object o : client.listObjectsV2Paginator(r -> r.bucket(BUCKET)).contents()) {
            if (o.key().endsWith("/")) {
                continue; // the file-system store lists its directories as empty objects
            }
            out.put(o.key(), client.getObjectAsBytes(r -> r.bucket(BUCKET).key(o.key())).asByteArray());
        }
        return out;
    }

    private static List<Path> finished(Path out) throws Exception {
        // Upload markers are *.pcap.uploaded: a find -name '*.pcap' sees captures only.
        return OutputFiles.ending(out, ".pcap");
    }

    /** The key a finished file must have: PREFIX/<session>/<yyyy>/<mm>/<dd>/<file name>. */
    private static String key(Path file) {
        String name = file.getFileName().toString();
        String stamp = name.replaceAll(".*-(\\d{8})T\\d{6}Z-\\d+\\.pcap$", "$1");
        return "sensors/eu/" + file.getParent().getFileName() + "/" + stamp.substring(0, 4) + "/" + stamp.substring(4, 6)
                + "/" + stamp.substring(6, 8) + "/" + name;
    }

    @Test
    void filesOfSeveralSessionsArriveUnderTheirKeysByteIdenticalAndALargeOneInParts() throws Exception {
        try (S3Server s3 = S3Server.start(dir.resolve("store"), BUCKET); S3Client client = s3.client()) {
            Path out = dir.resolve("out");
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", config(s3, "rotation: {max-packets: 40}\n").toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            try (d) {
                List<byte[]> small = new ArrayList<>();
                for (int i = 0; i < 120; i++) {
                    small.add(vxlan(1 + i % 3, Frames.sized(200, i)));
                }
                d.send(small);
                // The three small files finish at their 40th packet: wait for that before the reload
                // below raises max-packets, or a file still open would take the new limit.
                long finishedBy = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < finishedBy && MetricsIT.samples(d.http("/metrics", null).getValue())
                        .entrySet().stream().filter(e -> e.getKey().startsWith("vxdump_files_finished_total"))
                        .mapToDouble(Map.Entry::getValue).sum() < 3) {
                    Thread.sleep(50);
                }
                // One large file: 6,000 frames of 1,400 bytes in session 9 (8 MiB, more than a 5 MiB part).
                Files.writeString(dir.resolve("vxdump.yaml"), Files.readString(dir.resolve("vxdump.yaml"))
                        .replace("max-packets: 40", "max-packets: 6000"));
                new ProcessBuilder("kill", "-HUP", String.valueOf(d.pid())).start().waitFor();
                Thread.sleep(500);
                for (int round = 0; round < 60; round++) {
                    List<byte[]> big = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        big.add(vxlan(9, Frames.sized(1400, round * 100 + i)));
                    }
                    d.send(big);
                    Thread.sleep(5);
                }
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (System.nanoTime() < deadline && MetricsIT.samples(d.http("/metrics", null).getValue())
                        .get("vxdump_upload_files_total") < 4) {
                    Thread.sleep(200);
                }
                var m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertEquals(4.0, m.get("vxdump_upload_files_total"), "3 sessions' files of 40, and the large one");
                assertEquals(0.0, m.get("vxdump_upload_backlog_files"));
                assertEquals(0, d.terminate(30));
            }
            Map<String, byte[]> stored = objects(client);
            List<Path> local = finished(out);
            assertEquals(local.size(), stored.size(), stored.keySet().toString());
            for (Path f : local) {
                assertTrue(Files.exists(out.resolve(".vxdump-uploads").resolve(f.getParent().getFileName())
                        .resolve(f.getFileName() + ".uploaded")), "a marker for " + f);
            }
            for (Path f : local) {
                assertArrayEquals(Files.readAllBytes(f), stored.get(key(f)), "byte-identical under its key: " + key(f));
            }
            Path large = local.stream().filter(p -> p.getParent().getFileName().toString().equals("vni-9")).findFirst().orElseThrow();
            assertTrue(Files.size(large) > 5 << 20);
            String etag = client.headObject(r -> r.bucket(BUCKET).key(key(large))).eTag();
            assertTrue(etag.contains("-"), "a multipart upload's ETag: " + etag);
        }
    }

    @Test
    void anOutageGrowsTheBacklogAndEverythingArrivesOnceTheStoreIsBackEvenAfterAKill() throws Exception {
        try (S3Server s3 = S3Server.start(dir.resolve("store"), BUCKET); S3Client client = s3.client()) {
            s3.stop();
            Path out = dir.resolve("out");
            Path cfg = config(s3, "rotation: {max-packets: 20, interval: 0}\n"); // no 5-minute boundary mid-test
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", cfg.toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            int sent = 0;
            try (d) {
                List<byte[]> burst = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    burst.add(vxlan(1 + i % 2, Frames.sized(300, sent++)));
                }
                d.send(burst);
                Thread.sleep(2500);
                var m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertEquals(4.0, m.get("vxdump_upload_backlog_files"), "2 sessions × 2 finished files of 20 wait");
                assertEquals(0.0, m.get("vxdump_upload_files_total"), "nothing reached a stopped store");
                assertTrue(m.get("vxdump_upload_failures_total{kind=\"unreachable\"}") > 0, m.toString());
                assertTrue(m.get("vxdump_upload_backlog_oldest_age_seconds") >= 1, "the oldest waits since the first burst");
                var health = d.http("/healthz", null);
                assertEquals(200, health.getKey(), "an upload problem does not take the target out of service");
                assertTrue(health.getValue().contains("upload backlog"), health.getValue());
                assertEquals(m.get("vxdump_datagrams_received_total"), 100.0, "capture goes on");
                d.kill(); // SIGKILL with a backlog (and two files being written): found again at the next start
            }
            s3.start();
            DaemonProcess again = DaemonProcess.start(dir, s3.env(), "--config", cfg.toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            try (again) {
                // Long enough for a stalled connection to be given up (30 s) and the file tried again.
                long deadline = System.nanoTime() + 90_000_000_000L;
                while (System.nanoTime() < deadline && MetricsIT.samples(again.http("/metrics", null).getValue())
                        .get("vxdump_upload_files_total") < 6) {
                    Thread.sleep(200);
                }
                var m = MetricsIT.samples(again.http("/metrics", null).getValue());
                assertEquals(6.0, m.get("vxdump_upload_files_total"),
                        "the killed run's backlog and its two recovered files, each uploaded once; the log:\n" + again.log());
                assertEquals(0.0, m.get("vxdump_upload_backlog_files"));
                assertEquals(0, again.terminate(30));
            }
            Map<String, byte[]> stored = objects(client);
            List<Path> local = finished(out);
            assertEquals(6, local.size(), local.toString());
            assertEquals(6, stored.size());
            for (Path f : local) {
                assertArrayEquals(Files.readAllBytes(f), stored.get(key(f)), key(f));
            }
        }
    }

    @Test
    void aStopFinishesFilesUploadsThemAndDeleteAfterUploadLeavesNothingBehind() throws Exception {
        try (S3Server s3 = S3Server.start(dir.resolve("store"), BUCKET); S3Client client = s3.client()) {
            Path out = dir.resolve("out");
            Path cfg = dir.resolve("vxdump.yaml");
            Files.writeString(cfg, "upload: {to: s3://" + BUCKET + "/x, endpoint: " + s3.endpoint()
                    + ", path-style: true, delete-after-upload: true, shutdown-timeout: 20s}\n");
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", cfg.toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            List<byte[]> sent = new ArrayList<>();
            try (d) {
                for (int i = 0; i < 50; i++) {
                    sent.add(Frames.sized(100 + i, i));
                }
                List<byte[]> datagrams = new ArrayList<>();
                for (int i = 0; i < sent.size(); i++) {
                    datagrams.add(vxlan(1 + i % 2, sent.get(i)));
                }
                d.send(datagrams);
                Thread.sleep(700);
                assertEquals(0, d.terminate(30), "SIGTERM: files finished, then uploaded before the exit");
                assertTrue(d.log().contains("uploading finished files to s3://" + BUCKET + "/x"), d.log());
            }
            assertEquals(List.of(), finished(out), "deleted after upload");
            Map<String, byte[]> stored = objects(client);
            assertEquals(2, stored.size(), stored.keySet().toString());
            List<byte[]> frames = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : new java.util.TreeMap<>(stored).entrySet()) {
                Path copy = dir.resolve(e.getKey().replace('/', '_'));
                Files.write(copy, e.getValue());
                io.vxdump.testing.Libpcap.read(copy).forEach(r -> frames.add(r.data()));
            }
            assertEquals(sent.size(), frames.size());
            for (int i = 0; i < 25; i++) {
                assertArrayEquals(sent.get(2 * i), frames.get(i), "vni-1 record " + i);
                assertArrayEquals(sent.get(2 * i + 1), frames.get(25 + i), "vni-2 record " + i);
            }
        }
    }

    @Test
    void whenTheStoreComesBackTheSameProcessShipsTheBacklogEachFileOnce() throws Exception {
        try (S3Server s3 = S3Server.start(dir.resolve("store"), BUCKET); S3Client client = s3.client()) {
            s3.stop();
            Path out = dir.resolve("out");
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", config(s3, "rotation: {max-packets: 10}\n").toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            try (d) {
                for (int round = 0; round < 3; round++) { // capture goes on through the outage: 3 × 4 files
                    List<byte[]> burst = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        burst.add(vxlan(1 + i % 2, Frames.sized(200, round * 40 + i)));
                    }
                    d.send(burst);
                    Thread.sleep(800);
                }
                var m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertEquals(12.0, m.get("vxdump_upload_backlog_files"), "the backlog grew with every finished file");
                assertTrue(m.get("vxdump_upload_backlog_bytes") > 12 * 10 * 200, m.toString());
                assertEquals(120.0, m.get("vxdump_packets_written_total{session=\"vni-1\"}")
                        + m.get("vxdump_packets_written_total{session=\"vni-2\"}"), "capturing went on");

                s3.start();
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline && MetricsIT.samples(d.http("/metrics", null).getValue())
                        .get("vxdump_upload_backlog_files") > 0) {
                    Thread.sleep(200);
                }
                m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertEquals(0.0, m.get("vxdump_upload_backlog_files"), "everything arrived");
                assertEquals(12.0, m.get("vxdump_upload_files_total"), "each file counted once");
                assertEquals(200, d.http("/healthz", null).getKey());
                assertTrue(!d.http("/healthz", null).getValue().contains("upload backlog"));
                assertEquals(0, d.terminate(30));
            }
            Map<String, byte[]> stored = objects(client);
            List<Path> local = finished(out);
            assertEquals(12, local.size());
            assertEquals(12, stored.size(), "nothing twice, nothing missing");
            for (Path f : local) {
                assertArrayEquals(Files.readAllBytes(f), stored.get(key(f)), key(f));
            }
        }
    }

    @Test
    void aFloorKeepsFilesNotUploadedUntilItMustAndCountsThoseItDeletes() throws Exception {
        io.vxdump.testing.Tmpfs tmpfs = io.vxdump.testing.Tmpfs.mount(dir.resolve("out"), "8m");
        try (tmpfs; S3Server s3 = S3Server.start(dir.resolve("store"), BUCKET)) {
            s3.stop();
            Path out = tmpfs.path();
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", config(s3, """
                    rotation: {max-size: 256KiB}
                    retention: {max-files: 1, min-free: 3MiB}
                    staging: {ring-size: 4MiB}
                    writer: {block-size: 64KiB, buffer-memory: 4MiB}
                    """).toString(), "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1",
                    "--instance-id", "i1");
            try (d) {
                int sent = sendKilobytes(d, 0, 3000); // 3 MiB: max-files 1 would delete, but nothing is uploaded
                Thread.sleep(1500);
                var m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertTrue(finished(out).size() > 4, "files not uploaded are kept beyond max-files: " + finished(out).size());
                assertEquals(0.0, m.get("vxdump_files_deleted_total{reason=\"min_free_before_upload\",session=\"\"}"));
                sent = sendKilobytes(d, sent, 6000); // 6 MiB more: now the floor must make room
                Thread.sleep(1500);
                m = MetricsIT.samples(d.http("/metrics", null).getValue());
                assertTrue(m.get("vxdump_files_deleted_total{reason=\"min_free_before_upload\",session=\"\"}") > 0,
                        "the floor deleted files not uploaded, and counted them");
                assertEquals(0.0, m.get("vxdump_datagrams_dropped_total{reason=\"write_error\",session=\"vni-1\"}"),
                        "new packets were kept");
                assertEquals((double) sent, m.get("vxdump_packets_written_total{session=\"vni-1\"}")
                        + m.get("vxdump_packets_written_total{session=\"vni-2\"}"));
                assertEquals(0, d.terminate(10));
            }
        }
    }

    @Test
    void aKillInTheMiddleOfAMultipartUploadUploadsTheWholeFileAfterTheStart() throws Exception {
        Path storeDir = dir.resolve("store");
        try (S3Server s3 = S3Server.start(storeDir, BUCKET); S3Client client = s3.client()) {
            Path out = dir.resolve("out");
            Path cfg = config(s3, "rotation: {max-size: 24MiB}\n");
            DaemonProcess d = DaemonProcess.start(dir, s3.env(), "--config", cfg.toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            boolean caughtMidUpload = false;
            try (d) {
                int seq = 0;
                for (int round = 0; round < 190; round++) { // ~25 MiB: one full file of 24 MiB, five 5 MiB parts
                    List<byte[]> burst = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        burst.add(vxlan(3, Frames.sized(1400, seq++)));
                    }
                    d.send(burst);
                    Thread.sleep(3);
                }
                // S3Proxy keeps the parts of an unfinished multipart upload as .mpus-* files: kill then.
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (System.nanoTime() < deadline && !caughtMidUpload) {
                    caughtMidUpload = OutputFiles.ending(storeDir, "").stream()
                            .anyMatch(p -> p.getFileName().toString().startsWith(".mpus-"));
                    if (!caughtMidUpload) {
                        Thread.sleep(5);
                    }
                }
                d.kill();
            }
            assertTrue(caughtMidUpload, "the upload was caught in its parts");
            List<Path> local = finished(out);
            assertEquals(1, local.size(), local.toString());
            assertEquals(null, objects(client).get(key(local.get(0))), "not in the store: killed mid-upload");

            DaemonProcess again = DaemonProcess.start(dir, s3.env(), "--config", cfg.toString(),
                    "--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "1", "--instance-id", "i1");
            String log;
            try (again) {
                // Both: the big file killed mid-upload, and the leftover .part this start finished.
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (System.nanoTime() < deadline && MetricsIT.samples(again.http("/metrics", null).getValue())
                        .get("vxdump_upload_files_total") < 2) {
                    Thread.sleep(200);
                }
                assertEquals(0, again.terminate(30));
                log = again.log();
            }
            Map<String, byte[]> stored = objects(client);
            for (Path f : finished(out)) { // the killed run's big file, and the leftover .part it finished
                assertArrayEquals(Files.readAllBytes(f), stored.get(key(f)), "uploaded whole after the start: " + key(f)
                        + "\n" + log);
            }
        }
    }

    /** Sends {@code count} 1,000-byte frames numbered from {@code first}, to VNIs 1 and 2, in paced bursts; returns the next number. */
    private static int sendKilobytes(DaemonProcess d, int first, int count) throws Exception {
        int seq = first;
        while (seq < first + count) {
            List<byte[]> burst = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                burst.add(vxlan(1 + i % 2, Frames.sized(1000, seq++)));
            }
            d.send(burst);
            Thread.sleep(100);
        }
        return seq;
    }
}
