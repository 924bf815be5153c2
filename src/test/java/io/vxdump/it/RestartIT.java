package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash under load and an immediate restart, as systemd's Restart=on-failure does it: the new
 * process binds its port before its slow start (recovery, warm-up), so what arrives meanwhile waits
 * in the socket buffer. Counted from the files: at most a second of traffic is lost.
 */
class RestartIT {
    private static final int RATE = 50_000;

    @TempDir
    Path dir;

    private static byte[] numbered(long seq) {
        byte[] payload = ByteBuffer.allocate(64).putLong(seq).array();
        return Frames.vxlan(77, Frames.ethernet(0x0800, Frames.ipv4(17, "10.0.0.1", "10.0.0.2",
                Frames.udp(40000 + (int) (seq % 16), 53, payload))));
    }

    @Test
    void aSigkillAndAnImmediateRestartLoseAtMostASecond() throws Exception {
        int port;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path out = dir.resolve("out");
        String[] args = {"--listen", "127.0.0.1:" + port, "--output", out.toString(), "--threads", "1",
                "--instance-id", "r1", "--metrics", "off"};
        DaemonProcess first = DaemonProcess.start(dir, args);
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread sender = new Thread(() -> {
            try (DatagramChannel ch = DatagramChannel.open()) {
                // Not connected: a connected socket learns of each ICMP port-unreachable the kernel
                // sends back while no process holds the port (unlimited on loopback), and half its
                // sends then fail with an exception each, a CPU storm on the machine the daemon is
                // restarting on. A real mirror source is another host and hears of none of it.
                InetSocketAddress target = new InetSocketAddress("127.0.0.1", port);
                // One datagram, its number patched in: the sender stays cheap, so the machine's second
                // core is the restarting daemon's, as it would be with a real mirror source elsewhere.
                ByteBuffer datagram = ByteBuffer.wrap(numbered(0));
                int at = 8 + 14 + 20 + 8;
                long start = System.nanoTime();
                long seq = 0;
                while (sending.get()) {
                    // What is due by now, then a millisecond's nap: the sender is not a CPU hog on a
                    // two-core machine where the daemon starts (a real mirror source is another host).
                    long due = (System.nanoTime() - start) * RATE / 1_000_000_000L;
                    for (; seq < due; seq++) {
                        datagram.putLong(at, seq).clear();
                        ch.send(datagram, target); // while no process holds the port: lost, as on a network
                    }
                    sent.set(seq);
                    LockSupport.parkNanos(1_000_000);
                }
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });
        DaemonProcess second = null;
        try {
            sender.start();
            Thread.sleep(3000);
            long killNanos = System.nanoTime();
            first.kill(); // SIGKILL: no drain, a .part file left behind (returns once the process is gone)
            long goneNanos = System.nanoTime();
            long killedAt = sent.get();
            second = DaemonProcess.start(dir, args);
            System.out.printf("restart: the killed process was gone after %d ms%n", (goneNanos - killNanos) / 1_000_000);
            Thread.sleep(4000);
            sending.set(false);
            sender.join();
            Thread.sleep(1500);
            assertEquals(0, second.terminate(30));
            System.out.println("restart: killed at packet " + killedAt + "; the new process: "
                    + second.log().lines().filter(l -> l.contains("ports bound")).findFirst().orElse("?"));
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
        BitSet seen = new BitSet();
        for (Path f : SignalsIT.filesEnding(out, ".pcap")) {
            for (PcapRecord r : Libpcap.read(f)) {
                seen.set((int) ByteBuffer.wrap(r.data(), 14 + 20 + 8, 8).getLong());
            }
        }
        long total = sent.get();
        long lost = total - seen.cardinality();
        StringBuilder gaps = new StringBuilder();
        for (int i = seen.nextClearBit(0); i < total; i = seen.nextClearBit(i)) {
            int end = Math.min(seen.nextSetBit(i) < 0 ? (int) total : seen.nextSetBit(i), (int) total);
            if (end - i > 100) {
                gaps.append(' ').append(i).append("..").append(end - 1).append(" (").append(end - i).append(')');
            }
            i = end;
        }
        System.out.println("restart: missing ranges over 100 packets:" + gaps);
        System.out.printf("restart at %d pps: %d of %d packets lost (%.2f s of traffic)%n", RATE, lost, total,
                (double) lost / RATE);
        assertTrue(lost <= RATE, lost + " packets lost: more than a second of traffic");
        assertTrue(seen.cardinality() > total / 2, "most packets are in the files");
    }
}
