package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of sessions at once, as a busy NLB target sees them: two receive threads, two
 * writers, a small open-file budget and little write memory. No packet may be lost to the writer, every datagram
 * must be accounted for, and each session's file must hold its packets, byte for byte, in order.
 */
class ManySessionsIT {
    private static final int SESSIONS = 3000;
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    void threeThousandSessionsLoseNothingAndStayWithinTheirDescriptorBudget() throws Exception {
        Path config = dir.resolve("vxdump.yaml");
        Files.writeString(config, "max-sessions: 5000\nstaging: {ring-size: 16MiB}\nwriter: {threads: 2, max-open-files: 300, buffer-memory: 8MiB, block-size: 64KiB}\n");
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--listen", "127.0.0.1:0",
                "--output", "out", "--threads", "2", "--rotate-interval", "0");
        List<byte[]> datagrams = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (int s = 0; s < SESSIONS; s++) {
                datagrams.add(vxlan(1000 + s, Frames.sized(80 + (s % 50), round * 100_000 + s)));
            }
        }
        try (d) {
            d.sendFromPorts(datagrams, 16, 200);
            long fds = d.openFileDescriptors();
            Thread.sleep(1500);
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertEquals(SESSIONS, m.get("vxdump_sessions"));
            assertTrue(m.get("vxdump_writer_open_files") <= 300, "open files " + m.get("vxdump_writer_open_files"));
            assertTrue(m.get("vxdump_writer_files_reopened_total") > 0, "the budget was exercised");
            assertTrue(fds < 300 + 200, "descriptors in use: " + fds);
            // Once nothing is pending, the scrape says what the files will hold, session by session.
            SignalsIT.waitFor(() -> MetricsIT.samples(d.http("/metrics", null).getValue())
                    .get("vxdump_packets_pending") == 0, "nothing pending");
            Map<String, Double> written = MetricsIT.samples(d.http("/metrics", null).getValue());
            double sum = 0;
            for (int s = 0; s < SESSIONS; s++) {
                Double w = written.get("vxdump_packets_written_total{session=\"vni-" + (1000 + s) + "\"}");
                assertEquals(ROUNDS, w == null ? -1 : w, "scraped written of vni-" + (1000 + s));
                sum += w;
            }
            assertEquals(datagrams.size(), sum, "the scrape's written adds up to every datagram");
            assertEquals(0, d.terminate(60));
        }
        Map<String, Long> t = d.totals();
        assertEquals(datagrams.size(), t.get("received"), "the kernel delivered everything (paced sender)");
        assertEquals(0, t.get("dropped_writer_backlog"));
        assertEquals(0, t.get("dropped_session_limit"));
        assertEquals(datagrams.size(), t.get("written"), "every datagram written: " + t);

        List<Path> sessionDirs;
        try (Stream<Path> s = Files.list(dir.resolve("out"))) {
            sessionDirs = s.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(SESSIONS, sessionDirs.size());
        for (int s = 0; s < SESSIONS; s++) {
            Path sessionDir = dir.resolve("out/vni-" + (1000 + s));
            List<Path> files;
            try (Stream<Path> f = Files.list(sessionDir)) {
                files = f.toList();
            }
            assertEquals(1, files.size(), sessionDir.toString());
            Path file = files.get(0);
            assertTrue(file.toString().endsWith(".pcap"), file.toString());
            List<byte[]> frames = frames(file);
            assertEquals(ROUNDS, frames.size(), file.toString());
            // A session's rounds come from different source ports, so through different receive
            // threads: the file is in receive-time order, which need not be the send order.
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                expected.add(HexFormat.of().formatHex(Frames.sized(80 + (s % 50), round * 100_000 + s)));
            }
            List<String> got = new ArrayList<>(frames.stream().map(f -> HexFormat.of().formatHex(f)).toList());
            Collections.sort(expected);
            Collections.sort(got);
            assertEquals(expected, got, file.toString());
            if (s % 500 == 0) { // and libpcap agrees, on a sample
                List<PcapRecord> records = Libpcap.read(file);
                assertEquals(ROUNDS, records.size());
            }
        }
    }

    /** The frames of a classic pcap file, checking that timestamps never step back. */
    private static List<byte[]> frames(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        int pos = 24;
        long previous = 0;
        while (pos < b.limit()) {
            long ts = b.getInt(pos) * 1_000_000L + b.getInt(pos + 4);
            assertTrue(ts >= previous, "time order in " + file);
            previous = ts;
            int caplen = b.getInt(pos + 8);
            byte[] f = new byte[caplen];
            b.get(pos + 16, f);
            out.add(f);
            pos += 16 + caplen;
        }
        assertEquals(b.limit(), pos, "no partial record in " + file);
        return out;
    }
}
