package io.vxdump.it;

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
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender we did not write: the Linux kernel's vxlan driver. Two network namespaces joined by a
 * veth pair (198.18.0.0/30, benchmark space, inside the namespaces only); in one a vxlan device
 * whose remote is vxdump in the other. Pings through the device must land in vxdump's files.
 */
class KernelVxlanIT {
    private static final int VNI = 4242;
    private final String sender = "vxs" + ProcessHandle.current().pid();
    private final String receiver = "vxr" + ProcessHandle.current().pid();

    @TempDir
    Path dir;

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        assertEquals(0, Requirements.sh(cmd.toArray(String[]::new)), "failed: " + String.join(" ", cmd));
    }

    @AfterEach
    void tearDown() {
        Requirements.sh("ip", "netns", "del", sender);
        Requirements.sh("ip", "netns", "del", receiver);
    }

    @Test
    void pingsThroughAKernelVxlanDeviceArriveInTheSessionsFile() throws Exception {
        Requirements.require(Requirements.isRoot(), "network namespaces need root");
        Requirements.require(Requirements.sh("ip", "-V") == 0, "iproute2 (ip) is not installed");
        Requirements.require(Requirements.sh("ping", "-V") == 0, "ping (iputils-ping) is not installed");
        Requirements.require(Requirements.sh("ip", "netns", "add", sender) == 0, "cannot create a network namespace");
        ip("netns", "add", receiver);
        ip("link", "add", "veth-s", "netns", sender, "type", "veth", "peer", "name", "veth-r", "netns", receiver);
        ip("-n", sender, "addr", "add", "198.18.0.1/30", "dev", "veth-s");
        ip("-n", receiver, "addr", "add", "198.18.0.2/30", "dev", "veth-r");
        for (String[] nsDev : new String[][] {{sender, "veth-s"}, {receiver, "veth-r"}, {sender, "lo"}, {receiver, "lo"}}) {
            ip("-n", nsDev[0], "link", "set", nsDev[1], "up");
        }
        ip("-n", sender, "link", "add", "vx0", "type", "vxlan", "id", String.valueOf(VNI), "dstport", "4789",
                "remote", "198.18.0.2", "local", "198.18.0.1", "dev", "veth-s");
        ip("-n", sender, "addr", "add", "198.19.0.1/24", "dev", "vx0");
        ip("-n", sender, "link", "set", "vx0", "up");
        // No host answers behind the tunnel; a static neighbour lets the pings themselves go out.
        ip("-n", sender, "neigh", "add", "198.19.0.2", "lladdr", "02:00:00:00:00:02", "dev", "vx0");

        DaemonProcess d = DaemonProcess.start(dir, List.of("ip", "netns", "exec", receiver),
                "--listen", "198.18.0.2:4789", "--output", "out");
        try (d) {
            int pings = 5;
            Requirements.sh("ip", "netns", "exec", sender, "ping", "-c", String.valueOf(pings), "-i", "0.2",
                    "-W", "1", "-s", "100", "198.19.0.2");
            Thread.sleep(300);
            assertEquals(0, d.terminate(15));

            Path session = dir.resolve("out/vni-" + VNI);
            List<PcapRecord> echoes = new ArrayList<>();
            try (Stream<Path> files = Files.list(session)) {
                for (Path f : files.toList()) {
                    for (PcapRecord r : Libpcap.read(f)) {
                        ByteBuffer b = ByteBuffer.wrap(r.data());
                        boolean icmpEcho = b.getShort(12) == 0x0800 && r.data()[23] == 1 && r.data()[34] == 8;
                        if (icmpEcho) {
                            echoes.add(r);
                        }
                    }
                }
            }
            assertEquals(pings, echoes.size(), "every echo request the kernel encapsulated");
            for (PcapRecord r : echoes) {
                assertEquals(14 + 20 + 8 + 100, r.caplen());
                assertEquals((byte) 198, r.data()[26]);
                assertEquals((byte) 19, r.data()[27]);
                assertEquals((byte) 2, r.data()[33], "to 198.19.0.2");
            }
            assertTrue(d.totals().get("dropped_decap_error") == 0);
        }
    }
}
