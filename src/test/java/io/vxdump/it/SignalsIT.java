package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Signals to a running daemon: SIGUSR1 finishes every open file and capture goes on. */
class SignalsIT {
    @TempDir
    Path dir;

    static List<Path> filesEnding(Path root, String suffix) throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }

    static void signal(DaemonProcess d, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(d.pid())).start().waitFor());
    }

    @Test
    void sigusr1FinishesEveryOpenFileAndCaptureGoesOn() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--instance-id", "i1");
        try (d) {
            List<byte[]> first = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                first.add(vxlan(1 + i % 3, Frames.sized(100 + i, i)));
            }
            d.send(first);
            waitFor(() -> filesEnding(out, ".part").size() == 3, "three sessions write");
            assertEquals(List.of(), filesEnding(out, ".pcap"), "nothing finished yet (rotation is 5 min)");

            signal(d, "USR1");
            waitFor(() -> filesEnding(out, ".part").isEmpty() && filesEnding(out, ".pcap").size() == 3,
                    "every open file finished");
            for (int vni = 1; vni <= 3; vni++) {
                List<Path> f = filesEnding(out.resolve("vni-" + vni), ".pcap");
                List<PcapRecord> records = Libpcap.read(f.get(0));
                assertEquals(10, records.size(), "all of vni-" + vni + "'s packets in its finished file");
                assertArrayEquals(Frames.sized(100 + vni - 1, vni - 1), records.get(0).data());
            }

            d.send(List.of(vxlan(1, Frames.sized(500, 99))));
            waitFor(() -> filesEnding(out.resolve("vni-1"), ".part").size() == 1, "the next packet opens a new file");
            assertEquals(0, d.terminate(10));
            assertEquals(2, filesEnding(out.resolve("vni-1"), ".pcap").size());
            assertTrue(d.log().contains("finished 3 open file(s) on request"), d.log());
            assertEquals(31L, d.totals().get("written"));
        }
    }

    static void waitFor(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.call() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(condition.call(), what);
    }
}
