package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datagrams beyond AWS's ~9,000 bytes, from a foreign sender, with frames that carry no IP length
 * to tell their true size (EtherType 0x88B5). Our own recvmmsg asks the kernel (MSG_TRUNC): a
 * datagram longer than the 9,216-byte receive slot is counted as truncated, and its record keeps
 * its true length as the original length. On Netty's path, which hides MSG_TRUNC, one that fills
 * the slot may have been cut, so it is counted as truncated. One that fits is written whole and
 * not counted. Never a silent cut.
 */
class LargeDatagramIT {
    @TempDir
    Path dir;

    @Test
    void aDatagramThatFillsItsSlotIsCountedAsTruncated() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "1");
        List<byte[]> frames = new ArrayList<>();
        // 65,507 bytes is IPv4's largest UDP payload: 8 of them are the VXLAN header.
        int[] sizes = {9_000, 9_207, 9_208, 9_209, 9_300, 40_000, 65_499};
        for (int size : sizes) {
            byte[] payload = new byte[size - 14];
            for (int i = 0; i < payload.length; i++) {
                payload[i] = (byte) (i * 7 + size);
            }
            frames.add(Frames.ethernet(0x88B5, payload));
        }
        boolean exact;
        try (d) {
            exact = ownReceivePath(d);
            List<byte[]> datagrams = new ArrayList<>();
            for (byte[] f : frames) {
                datagrams.add(vxlan(44, f));
            }
            d.send(datagrams);
            SignalsIT.waitFor(() -> {
                Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
                return m.getOrDefault("vxdump_packets_written_total{session=\"vni-44\"}", 0.0) == frames.size();
            }, "every frame written");
            Map<String, Double> m = MetricsIT.samples(d.http("/metrics", null).getValue());
            if (exact) {
                assertEquals(4.0, m.get("vxdump_packets_truncated_total{session=\"vni-44\"}"),
                        "every frame longer than the slot (9,209 bytes of frame and more), by the kernel's word");
            } else {
                assertEquals(5.0, m.get("vxdump_packets_truncated_total{session=\"vni-44\"}"),
                        "every frame that filled the slot (9,208 bytes of frame and more) is counted");
            }
            assertEquals(0, d.terminate(10));
        }
        List<PcapRecord> records = Libpcap.read(SignalsIT.filesEnding(out, ".pcap").get(0));
        assertEquals(frames.size(), records.size());
        for (int i = 0; i < frames.size(); i++) {
            int kept = Math.min(sizes[i], 9_208);
            assertEquals(kept, records.get(i).caplen(), "caplen of frame " + i);
            if (exact) {
                assertEquals(sizes[i], records.get(i).origlen(), "the true length of frame " + i);
            }
            assertArrayEquals(java.util.Arrays.copyOf(frames.get(i), kept), records.get(i).data(), "frame " + i);
        }
    }

    /**
     * The daemon reads with its own code, our recvmmsg or an AF_PACKET ring: it knows each
     * datagram's true length and the kernel's receive time (Netty's channel knows neither).
     */
    static boolean ownReceivePath(DaemonProcess d) throws java.io.IOException {
        String log = d.log();
        return log.contains("receive: epoll, own recvmmsg") || log.contains("receive: epoll, AF_PACKET");
    }
}
