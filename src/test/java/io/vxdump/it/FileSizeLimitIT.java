package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes that fail while in flight: the daemon runs under a file-size limit ({@code prlimit
 * --fsize}, as systemd's {@code LimitFSIZE} sets it), so the write of the run that crosses it fails
 * with EFBIG on an I/O thread while the writer fills the next blocks. With plenty of free space the
 * writer hands every full run over, so that is the path that fails. Every datagram is then in a
 * file or counted as {@code write_error}; each file ends at its last whole record, libpcap reads
 * it, and its records are the frames sent, in order.
 */
class FileSizeLimitIT {
    @TempDir
    Path dir;

    @Test
    void aWriteThatFailsInFlightIsCutBackAndCounted() throws Exception {
        Requirements.requireProgram("prlimit", "util-linux");
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, List.of("prlimit", "--fsize=" + (6 << 20)), "--listen", "127.0.0.1:0",
                "--threads", "1", "--output", out.toString(), "--rotate-size", "100MiB");
        int perSession = 6000; // 8.6 MB each: past the 6 MiB limit
        List<byte[]> a = new ArrayList<>();
        List<byte[]> b = new ArrayList<>();
        List<byte[]> datagrams = new ArrayList<>();
        for (int i = 0; i < perSession; i++) {
            a.add(Frames.sized(1400, i));
            b.add(Frames.sized(1400, i + 7));
            datagrams.add(Frames.vxlan(51, a.get(i)));
            datagrams.add(Frames.vxlan(52, b.get(i)));
        }
        try (d) {
            d.send(datagrams);
            SignalsIT.waitFor(() -> d.log().contains("File too large"), "a write fails with EFBIG");
            assertEquals(0, d.terminate(20));
        }
        Map<String, Long> t = d.totals();
        assertEquals(2L * perSession, t.get("received"), t.toString());
        assertTrue(t.get("dropped_write_error") > 0, t.toString());
        assertEquals(t.get("received"), t.get("written") + t.get("dropped_write_error"), t.toString());
        long inFiles = 0;
        for (int vni : new int[] {51, 52}) {
            List<byte[]> sent = vni == 51 ? a : b;
            List<PcapRecord> records = new ArrayList<>();
            for (Path f : SignalsIT.filesEnding(out, ".pcap")) {
                if (f.getFileName().toString().startsWith("vni-" + vni + "-")) {
                    assertTrue(java.nio.file.Files.size(f) <= 6 << 20, f + " is within the limit");
                    records.addAll(Libpcap.read(f));
                }
            }
            assertTrue(!records.isEmpty() && records.size() < perSession, "vni " + vni + ": " + records.size());
            int j = 0;
            for (int i = 0; i < records.size(); i++) {
                // frames sent, in order; those lost leave gaps, never a partial or foreign record
                while (j < sent.size() && !java.util.Arrays.equals(sent.get(j), records.get(i).data())) {
                    j++;
                }
                assertTrue(j < sent.size(), "vni " + vni + " record " + i + " is a frame sent, in order");
                j++;
            }
            assertArrayEquals(sent.get(0), records.get(0).data(), "vni " + vni + ": the file starts with the first frame");
            inFiles += records.size();
        }
        assertEquals(t.get("written"), inFiles, "the written count is what the files hold");
    }
}
