package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.OutputFiles;
import io.vxdump.testing.LoopFs;
import io.vxdump.testing.Tshark;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} writing with direct I/O to a real block file system (a loop-mounted ext4 image),
 * and falling back to buffered writes on one that refuses it: the start-up line says which, a
 * crash in the middle of writing leaves files that every reader takes after the next start, and
 * SIGTERM writes everything that was received.
 */
class DirectIoServeIT {
    @TempDir
    Path dir;

    private static List<Path> files(Path out, String suffix) throws Exception {
        return OutputFiles.ending(out, suffix);
    }

    @Test
    void directIoSurvivesACrashMidWriteAndDrainsOnSigterm() throws Exception {
        try (LoopFs fs = LoopFs.ext4(dir, 256)) {
            Path out = fs.path().resolve("captures");
            String[] args = {"--listen", "127.0.0.1:0", "--output", out.toString(), "--threads", "2",
                    "--rotate-size", "2MiB"};
            DaemonProcess first = DaemonProcess.start(dir, args);
            AtomicBoolean sending = new AtomicBoolean(true);
            try (first) {
                assertTrue(first.log().contains("direct I/O ("), first.log());
                Thread sender = new Thread(() -> {
                    int seq = 0;
                    while (sending.get()) {
                        List<byte[]> burst = new ArrayList<>();
                        for (int i = 0; i < 50; i++, seq++) {
                            burst.add(vxlan(1 + seq % 3, Frames.sized(200 + seq % 1200, seq)));
                        }
                        try {
                            first.sendFromPorts(burst, 8, 50);
                        } catch (Exception e) {
                            return;
                        }
                    }
                });
                sender.start();
                Thread.sleep(1500); // files rotate and blocks are written while packets keep coming
                first.kill();       // SIGKILL in the middle of it
                sending.set(false);
                sender.join();
            }
            assertTrue(!files(out, ".part").isEmpty(), "the crash left open files behind");

            DaemonProcess second = DaemonProcess.start(dir, args);
            List<byte[]> more = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                more.add(vxlan(7, Frames.sized(100 + i % 1300, i)));
            }
            try (second) {
                second.sendFromPorts(more, 8, 100);
                Thread.sleep(300);
                assertEquals(0, second.terminate(30));
            }
            Map<String, Long> t = second.totals();
            assertEquals(more.size(), t.get("received"));
            assertEquals(more.size(), t.get("written"), "SIGTERM drains everything: " + t);
            assertTrue(files(out, ".part").isEmpty(), "recovered and finished: " + files(out, ".part"));
            long kept = 0;
            for (Path f : files(out, ".pcap")) {
                int records = Libpcap.read(f).size(); // fails on a partial or padded record
                assertEquals(records, Tshark.frames(f).size(), "tshark reads " + f);
                assertTrue(records > 0, "no empty file: " + f);
                kept += records;
            }
            long inSession7 = 0;
            for (Path f : files(out.resolve("vni-7"), ".pcap")) {
                inSession7 += Libpcap.read(f).size();
            }
            assertEquals(more.size(), inSession7, "the second run's packets, exactly");
            assertTrue(kept > more.size(), "the first run's packets survived the crash");
        }
    }

    @Test
    void aFileSystemWithoutDirectIoIsWrittenBufferedAndTheStartUpLineSaysSo() throws Exception {
        try (LoopFs fs = LoopFs.ramfs(dir.resolve("ram"))) {
            DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", fs.path().toString());
            try (d) {
                assertTrue(d.log().contains("buffered I/O (the file system refused direct I/O"), d.log());
                d.send(List.of(vxlan(5, Frames.sized(500, 1)), vxlan(5, Frames.sized(600, 2))));
                Thread.sleep(300);
                assertEquals(0, d.terminate(15));
            }
            assertEquals(2, d.totals().get("written"));
            assertEquals(2, Libpcap.read(files(fs.path(), ".pcap").get(0)).size());
            Map.Entry<Integer, String> refused = DaemonProcess.run(dir, "serve", "--listen", "127.0.0.1:0",
                    "--metrics", "off", "--output", fs.path().toString(), "--direct-io", "on");
            assertEquals(2, refused.getKey(), refused.getValue());
            assertEquals(1, refused.getValue().strip().lines().count(), "one line: " + refused.getValue());
            assertTrue(refused.getValue().startsWith("vxdump: writer.direct-io: on, but direct I/O is not possible in "
                    + fs.path()), refused.getValue());
        }
        DaemonProcess off = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out", "--direct-io", "off");
        try (off) {
            assertTrue(off.log().contains("buffered I/O (configured)"), off.log());
        }
    }
}
