package io.vxdump.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The drops of chosen sockets, read from the kernel's own tables for real sockets. */
class SocketDropsTest {

    @Test
    void countsTheDropsOfItsOwnSocketsOnly() throws Exception {
        Set<Long> before = socketInodes();
        try (DatagramChannel flooded = bound(); DatagramChannel quiet = bound()) {
            Set<Long> mine = socketInodes();
            mine.removeAll(before);
            assertEquals(2, mine.size(), "two new sockets");
            long floodedInode = inodeOf(flooded, mine);
            long quietInode = mine.stream().filter(i -> i != floodedInode).findFirst().orElseThrow();
            SocketDrops ofFlooded = new SocketDrops(() -> new long[] {floodedInode});
            SocketDrops ofQuiet = new SocketDrops(() -> new long[] {quietInode});
            assertEquals(0, ofFlooded.drops());

            try (DatagramChannel out = DatagramChannel.open()) {
                ByteBuffer payload = ByteBuffer.allocate(1000);
                for (int i = 0; i < 2000; i++) {
                    out.send(payload.rewind(), flooded.getLocalAddress());
                }
            }
            assertTrue(ofFlooded.drops() > 1000, "the unread 4 KiB socket overflowed: " + ofFlooded.drops());
            assertEquals(0, ofQuiet.drops(), "another socket's drops are not counted");
            assertEquals(0, new SocketDrops(() -> new long[0]).drops(), "no sockets, no drops");
        }
    }

    /**
     * The flooded socket is the one bound to the port in its /proc/net/udp line (udp6: Java's
     * sockets are dual-stack).
     */
    private static long inodeOf(DatagramChannel ch, Set<Long> candidates) throws IOException {
        String port = String.format(":%04X", ((InetSocketAddress) ch.getLocalAddress()).getPort());
        java.util.List<String> lines = new java.util.ArrayList<>(Files.readAllLines(Path.of("/proc/net/udp")));
        lines.addAll(Files.readAllLines(Path.of("/proc/net/udp6")));
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f[1].endsWith(port) && f[0].endsWith(":") && candidates.contains(Long.parseLong(f[9]))) {
                return Long.parseLong(f[9]);
            }
        }
        throw new AssertionError("socket not in /proc/net/udp");
    }

    private static DatagramChannel bound() throws IOException {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return ch;
    }

    private static Set<Long> socketInodes() throws IOException {
        Set<Long> out = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String link = Files.readSymbolicLink(fd).toString();
                    if (link.startsWith("socket:[")) {
                        out.add(Long.parseLong(link.substring(8, link.length() - 1)));
                    }
                } catch (IOException e) {
                    // closed meanwhile (the listing's own descriptor)
                }
            }
        }
        return out;
    }
}
