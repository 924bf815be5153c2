package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Senders as the receive path reads them, on real sockets: an IPv6 listener, and a dual-stack one
 * ({@code [::]}) where an IPv4 sender arrives mapped into IPv6 and must still be the IPv4 address
 * that allow-sources names; a sender outside the list is counted, not written. Runs on both
 * receive paths (the build's second integration-test run takes Netty's).
 */
class ReceivePathIT {
    @TempDir
    Path dir;

    @Test
    void ipv6AndDualStackListenersSeeTheSenderAllowSourcesNames() throws Exception {
        Path config = Files.writeString(dir.resolve("vxdump.yaml"), """
                listen: ["[::1]:0", "[::]:0"]
                allow-sources: [127.0.0.1/32, "::1/128"]
                """);
        DaemonProcess d = DaemonProcess.start(dir, "--config", config.toString(), "--output", dir.resolve("out").toString(),
                "--threads", "2");
        try (d) {
            List<InetSocketAddress> listeners = new ArrayList<>();
            Matcher m = Pattern.compile("\\[([0-9a-f:]+)]:(\\d+) udp \\(vxlan\\)").matcher(d.log());
            while (m.find()) {
                listeners.add(new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2))));
            }
            assertEquals(2, listeners.size(), d.log());
            int perSender = 200;
            send(InetAddress.getByName("::1"), listeners.get(0), 61, perSender);
            send(InetAddress.getByName("127.0.0.1"), new InetSocketAddress("127.0.0.1", listeners.get(1).getPort()), 62, perSender);
            send(InetAddress.getByName("127.0.0.2"), new InetSocketAddress("127.0.0.1", listeners.get(1).getPort()), 63, perSender);
            SignalsIT.waitFor(() -> {
                Map<String, Double> now = MetricsIT.samples(d.http("/metrics", null).getValue());
                return now.getOrDefault("vxdump_datagrams_received_total", 0.0) == 3 * perSender
                        && now.getOrDefault("vxdump_packets_pending", -1.0) == 0
                        && now.containsKey("vxdump_packets_written_total{session=\"vni-62\"}");
            }, "every datagram read and written");
            Map<String, Double> s = MetricsIT.samples(d.http("/metrics", null).getValue());
            assertEquals(perSender, s.get("vxdump_packets_written_total{session=\"vni-61\"}"), "IPv6 sender, allowed");
            assertEquals(perSender, s.get("vxdump_packets_written_total{session=\"vni-62\"}"),
                    "IPv4 sender mapped into IPv6 on the dual-stack socket, allowed as 127.0.0.1");
            assertTrue(!s.containsKey("vxdump_packets_written_total{session=\"vni-63\"}"), "127.0.0.2 is not allowed");
            double notAllowed = s.entrySet().stream().filter(e -> e.getKey().startsWith("vxdump_datagrams_dropped_total")
                    && e.getKey().contains("reason=\"source_not_allowed\"")).mapToDouble(Map.Entry::getValue).sum();
            assertEquals(perSender, notAllowed, "counted by reason");
            assertEquals(0, d.terminate(10));
        }
    }

    /**
     * SIGTERM while datagrams pour in on two sockets: the sockets close under load, the daemon
     * exits cleanly within its stop timeout, and every datagram it read is accounted for: in a
     * file (read back by libpcap) or counted as dropped by reason.
     */
    @Test
    void aStopWhileDatagramsPourInAccountsForEveryDatagramRead() throws Exception {
        Path out = dir.resolve("out");
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", out.toString(),
                "--threads", "2");
        java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sender = new Thread(() -> {
            List<DatagramSocket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) {
                    sockets.add(new DatagramSocket());
                }
                byte[][] frames = new byte[16][];
                for (int i = 0; i < frames.length; i++) {
                    frames[i] = vxlan(70 + i % 4, Frames.sized(200 + i * 50, i));
                }
                for (long i = 0; !stop.get(); i++) {
                    byte[] f = frames[(int) (i % frames.length)];
                    sockets.get((int) (i % sockets.size())).send(new DatagramPacket(f, f.length, d.address()));
                    sent.incrementAndGet();
                    if (i % 64 == 63) {
                        Thread.sleep(0, 200_000);
                    }
                }
            } catch (Exception e) {
                // the port is gone once the daemon stops: nothing more to send
            } finally {
                sockets.forEach(DatagramSocket::close);
            }
        });
        try (d) {
            sender.start();
            SignalsIT.waitFor(() -> sent.get() > 50_000, "the load runs");
            assertEquals(0, d.terminate(60), "a clean stop under load:\n" + d.log());
        } finally {
            stop.set(true);
            sender.join();
        }
        Map<String, Long> t = d.totals();
        long dropped = t.entrySet().stream().filter(e -> e.getKey().startsWith("dropped_")).mapToLong(Map.Entry::getValue).sum();
        assertTrue(t.get("received") > 50_000, t.toString());
        assertEquals(0L, t.get("pending"), t.toString());
        assertEquals(t.get("received"), t.get("written") + t.get("filtered") + dropped, "every datagram read is accounted for: " + t);
        long records = 0;
        for (Path f : SignalsIT.filesEnding(out, ".pcap")) {
            records += io.vxdump.testing.Libpcap.read(f).size();
        }
        assertEquals(t.get("written"), records, "what the totals call written is in the finished files");
        assertEquals(List.of(), SignalsIT.filesEnding(out, ".part"), "every file finished");
    }

    private static void send(InetAddress from, InetSocketAddress to, int vni, int count) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(from, 0))) {
            for (int i = 0; i < count; i++) {
                byte[] datagram = vxlan(vni, Frames.sized(120, i));
                s.send(new DatagramPacket(datagram, datagram.length, to));
                if (i % 50 == 49) {
                    Thread.sleep(2);
                }
            }
        }
    }
}
