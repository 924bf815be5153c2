package io.vxdump.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Libpcap;
import io.vxdump.testing.PcapRecord;
import io.vxdump.testing.Requirements;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real encapsulators' output from tcpdump's test suite (../shared/captures): their UDP payloads
 * replayed into vxdump must come out as exactly the captures' inner frames.
 */
class RealCapturesIT {

    @TempDir
    Path dir;

    /** The UDP payload of an Ethernet/IPv4-or-IPv6/UDP frame to {@code port}, or null. */
    static byte[] udpPayload(byte[] frame, int port) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        int at = 12;
        int type = b.getShort(at) & 0xFFFF;
        while (type == 0x8100 || type == 0x88A8) {
            at += 4;
            type = b.getShort(at) & 0xFFFF;
        }
        at += 2;
        int protocol;
        int end;
        if (type == 0x0800) {
            protocol = frame[at + 9];
            end = at + (b.getShort(at + 2) & 0xFFFF);
            at += (frame[at] & 0x0F) * 4;
        } else if (type == 0x86DD) {
            protocol = frame[at + 6];
            end = at + 40 + (b.getShort(at + 4) & 0xFFFF);
            at += 40;
        } else {
            return null;
        }
        if (protocol != 17 || (b.getShort(at + 2) & 0xFFFF) != port) {
            return null;
        }
        return Arrays.copyOfRange(frame, at + 8, Math.min(end, frame.length));
    }

    @ParameterizedTest
    @CsvSource({"vxlan.pcap, 100, 10", "gso-ipv4-vxlan-ipv4.pcap, 5001, 1", "gso-ipv6-vxlan-ipv6.pcap, 5001, 1"})
    void innerFramesComeOutByteForByte(String capture, int vni, int packets) throws Exception {
        Path file = Requirements.sharedCaptures().resolve(capture);
        List<byte[]> payloads = new ArrayList<>();
        for (PcapRecord r : Libpcap.read(file)) {
            byte[] p = udpPayload(r.data(), 4789);
            if (p != null) {
                payloads.add(p);
            }
        }
        assertEquals(packets, payloads.size(), "VXLAN packets in " + capture);

        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out");
        try (d) {
            d.send(payloads);
            Thread.sleep(300);
            assertEquals(0, d.terminate(15));
            List<PcapRecord> written = new ArrayList<>();
            try (Stream<Path> files = Files.list(dir.resolve("out/vni-" + vni))) {
                for (Path f : files.sorted().toList()) {
                    written.addAll(Libpcap.read(f));
                }
            }
            assertEquals(payloads.size(), written.size());
            for (int i = 0; i < payloads.size(); i++) {
                byte[] inner = Arrays.copyOfRange(payloads.get(i), 8, payloads.get(i).length);
                assertArrayEquals(inner, written.get(i).data(), capture + " packet " + i);
                assertTrue(written.get(i).origlen() >= inner.length);
            }
            assertEquals(payloads.size(), d.totals().get("written"));
        }
    }
}
