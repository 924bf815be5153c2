package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records carry the kernel's receive time: with the daemon stopped (SIGSTOP) while ten datagrams
 * arrive 100 ms apart, the file shows them as far apart as they were sent (within a millisecond),
 * not bunched at the moment it resumed.
 */
class KernelTimestampsIT {
    @TempDir
    Path dir;

    @Test
    void aStoppedReceiverStillStampsEachDatagramWithItsArrival() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1", "--precision", "nano", "--rotate-interval", "0"); // one file, whatever the clock
        long[] sentAt = new long[10];
        try (d) {
            Requirements.assume(LargeDatagramIT.ownReceivePath(d), "the daemon reads with Netty's channel: user-space time");
            assertTrue(d.log().contains("kernel receive timestamps"), d.log());
            assertEquals(0, new ProcessBuilder("kill", "-STOP", String.valueOf(d.pid())).start().waitFor());
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 0; i < sentAt.length; i++) {
                    byte[] datagram = vxlan(5, Frames.sized(100, i));
                    sentAt[i] = System.nanoTime();
                    s.send(new DatagramPacket(datagram, datagram.length, d.address()));
                    Thread.sleep(100);
                }
            } finally {
                assertEquals(0, new ProcessBuilder("kill", "-CONT", String.valueOf(d.pid())).start().waitFor());
            }
            assertEquals(0, d.terminate(10));
        }
        List<PcapRecord> records = Libpcap.read(SignalsIT.filesEnding(out, ".pcap").get(0));
        assertEquals(sentAt.length, records.size());
        for (int i = 1; i < sentAt.length; i++) {
            long sentGap = sentAt[i] - sentAt[i - 1];
            long fileGap = records.get(i).timestampNanos() - records.get(i - 1).timestampNanos();
            assertTrue(Math.abs(fileGap - sentGap) <= 1_000_000,
                    "datagram " + i + ": sent " + sentGap / 1e6 + " ms after the one before, the file says " + fileGap / 1e6 + " ms");
        }
    }
}
