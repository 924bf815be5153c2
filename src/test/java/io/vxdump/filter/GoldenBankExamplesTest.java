package io.vxdump.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.vxdump.config.ConfigBuilder;
import io.vxdump.config.ConfigFile;
import io.vxdump.config.ServeConfig;
import io.vxdump.config.SessionConfig;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.Session;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import io.vxdump.testing.Frames;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The examples/goldenbank-*.yaml files, loaded as a user loads them, with traffic shaped like the
 * article's security groups sent through the real packet path, as the mirror source ENI of each
 * role would send it (the outer source address is the ENI's). Each row checks one
 * recommendation's intent.
 *
 * <p>Addresses: App1 revproxy 10.0.1.10, frontend 10.0.2.10, backend 10.0.3.10, storage 10.0.4.10,
 * DNS 10.0.0.2, package cache 10.0.5.10, bastion 10.0.6.10; App2 the same in 10.1.0.0/16; an
 * Internet client 203.0.113.5.
 */
class GoldenBankExamplesTest {

    /** Sends one frame of session {@code vni} from ENI {@code eni}; true when it was staged (kept). */
    static boolean kept(String example, int vni, String eni, String frameSpec) throws Exception {
        ConfigBuilder b = new ConfigBuilder();
        ConfigFile.apply(Path.of("examples", example), b);
        ServeConfig config = b.build();
        OutputSettings out = new OutputSettings(Path.of("unused"), Precision.MICRO, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty());
        List<Session> sessions = new ArrayList<>();
        for (SessionConfig c : config.sessions()) {
            sessions.add(new Session(c.vni(), c.name(), c.snaplen(), c.filter(),
                    new SessionOutput(c.name(), c.snaplen(), out), 1));
        }
        SessionTable table = new SessionTable(sessions, null, 0);
        DatagramProcessor p = new DatagramProcessor(0, table, new StagingRing[] {new StagingRing(1 << 20)},
                new WriterWakeup[] {new WriterWakeup()});
        byte[] datagram = Frames.vxlan(vni, TestFrames.frame(frameSpec));
        p.process(Unpooled.wrappedBuffer(datagram), 0, datagram.length, InetAddress.getByAddress(Frames.addr4(eni)));
        SessionLane lane = table.get(vni).lane(0);
        assertEquals(1, lane.staged() + lane.filtered(), "the session decided the packet");
        return lane.staged() == 1;
    }

    @ParameterizedTest(name = "{0} {1}: {5}")
    @CsvSource(delimiter = '|', textBlock = """
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 tcp 203.0.113.5:51000 10.0.1.10:443 | false | revproxy: inbound HTTPS is not kept
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 tcp 203.0.113.5:51000 10.0.1.10:80  | true  | revproxy: inbound HTTP is kept
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 tcp 10.0.6.10:40000 10.0.1.10:22   | true  | revproxy: inbound SSH from the bastion is kept
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 udp 10.0.0.2:53 10.0.1.10:40001     | true  | revproxy: DNS answers are kept
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 tcp 10.0.1.10:443 203.0.113.5:51000 | true  | revproxy: outbound responses are kept
            goldenbank-app1.yaml | 301 | 10.0.1.10 | v4 tcp 10.0.1.10:45000 10.0.2.10:443  | true  | revproxy: outbound HTTPS to the frontend is kept
            goldenbank-app1.yaml | 302 | 10.0.2.10 | v4 tcp 10.0.1.10:45000 10.0.2.10:443  | false | frontend: inbound HTTPS from the proxy is not kept
            goldenbank-app1.yaml | 302 | 10.0.2.10 | v4 tcp 10.0.2.10:46000 10.0.3.10:8080 | true  | frontend: outbound to the backend's custom ports is kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 tcp 10.0.3.10:800 10.0.4.10:2049   | false | backend: NFS over TCP to storage is not kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 udp 10.0.3.10:801 10.0.4.10:2049   | false | backend: NFS over UDP to storage is not kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 udp 10.0.3.10:123 10.0.0.5:123     | true  | backend: outbound NTP is kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 tcp 10.0.3.10:47000 203.0.113.9:443 | true | backend: outbound HTTPS (say, to command and control) is kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 tcp 10.0.2.10:46000 10.0.3.10:8080 | true  | backend: inbound requests from the frontend are kept
            goldenbank-app1.yaml | 303 | 10.0.3.10 | v4 tcp 10.0.4.10:2049 10.0.3.10:800   | true  | backend: inbound is all kept, NFS answers included
            goldenbank-app1.yaml | 304 | 10.0.4.10 | v4 tcp 10.0.4.10:2049 10.0.3.10:800   | false | storage: outbound NFS over TCP is not kept
            goldenbank-app1.yaml | 304 | 10.0.4.10 | v4 udp 10.0.4.10:2049 10.0.3.10:801   | false | storage: outbound NFS over UDP is not kept
            goldenbank-app1.yaml | 304 | 10.0.4.10 | v4 udp 10.0.4.10:123 10.0.0.5:123     | true  | storage: other outbound traffic is kept
            goldenbank-app1.yaml | 304 | 10.0.4.10 | v4 tcp 10.0.3.10:800 10.0.4.10:2049   | false | storage: the article gives no inbound rule, so none is kept
            goldenbank-app1.yaml | 305 | 10.0.0.2  | v4 udp 10.0.3.10:40000 10.0.0.2:53    | true  | DNS: queries are kept
            goldenbank-app1.yaml | 305 | 10.0.0.2  | v4 udp 10.0.0.2:53 10.0.3.10:40000    | true  | DNS: answers are kept
            goldenbank-app1.yaml | 305 | 10.0.0.2  | arp                                   | true  | DNS: even ARP is kept
            goldenbank-app1.yaml | 306 | 10.0.5.10 | v4 tcp 10.0.3.10:40000 10.0.5.10:443  | true  | package cache: all kept
            goldenbank-app1.yaml | 307 | 10.0.6.10 | v4 tcp 10.0.6.10:40000 10.0.3.10:22   | true  | bastion: all kept
            goldenbank-app2.yaml | 401 | 10.1.1.10 | v4 tcp 203.0.113.5:51000 10.1.1.10:443 | false | app2 revproxy: inbound HTTPS is not kept
            goldenbank-app2.yaml | 401 | 10.1.1.10 | v4 tcp 203.0.113.5:51000 10.1.1.10:80  | true  | app2 revproxy: inbound HTTP is kept
            goldenbank-app2.yaml | 401 | 10.1.1.10 | v4 tcp 10.1.1.10:443 203.0.113.5:51000 | true  | app2 revproxy: outbound is kept
            goldenbank-app2.yaml | 402 | 10.1.2.10 | v4 tcp 10.1.1.10:45000 10.1.2.10:443  | false | app2 frontend: inbound HTTPS is not kept
            goldenbank-app2.yaml | 403 | 10.1.3.10 | v4 tcp 10.1.3.10:48000 10.1.9.9:5432  | true  | app2 backend: outbound to RDS is kept
            goldenbank-app2.yaml | 403 | 10.1.3.10 | v4 tcp 10.1.2.10:46000 10.1.3.10:8080 | true  | app2 backend: inbound is kept
            goldenbank-app2.yaml | 405 | 10.1.0.2  | v4 udp 10.1.3.10:40000 10.1.0.2:53    | true  | app2 DNS: all kept
            """)
    void eachRecommendationKeepsWhatItMeansTo(String example, int vni, String eni, String frame, boolean expected,
                                              String intent) throws Exception {
        assertEquals(expected, kept(example, vni, eni, frame), intent);
    }
}
