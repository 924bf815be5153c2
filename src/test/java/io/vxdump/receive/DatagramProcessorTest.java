package io.vxdump.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.vxdump.filter.Action;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.RuleBuilder;
import io.vxdump.filter.SessionFilter;
import io.vxdump.metrics.DropReason;
import io.vxdump.metrics.Totals;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import io.vxdump.metrics.Accounting;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.testing.Frames;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packet path without sockets or writer: each datagram lands in exactly one count. */
class DatagramProcessorTest {
    @TempDir
    Path dir;

    private OutputSettings output() {
        return new OutputSettings(dir, Precision.MICRO, new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());
    }

    private Session session(int vni, String name, int snaplen, SessionFilter filter) {
        return new Session(vni, name, snaplen, filter, new SessionOutput(name, snaplen, output()), 1);
    }

    /** A processor whose one ring nobody drains. */
    static DatagramProcessor processor(SessionTable table, int ringBytes) {
        return new DatagramProcessor(0, table, new StagingRing[] {new StagingRing(ringBytes)},
                new WriterWakeup[] {new WriterWakeup()});
    }

    private static void send(DatagramProcessor p, byte[] datagram) {
        p.process(Unpooled.wrappedBuffer(datagram), 0, datagram.length, java.net.InetAddress.getLoopbackAddress());
    }

    @Test
    void everyDatagramLandsInExactlyOneCount() {
        SessionFilter noArp = new SessionFilter(Monitored.OUTER_SOURCE,
                List.of(RuleBuilder.parseCompact("100 any accept source=0.0.0.0/0")), Action.REJECT);
        SessionTable table = new SessionTable(List.of(session(100, "web", 0, noArp)),
                vni -> session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL), 1);
        DatagramProcessor p = processor(table, 1 << 20);

        byte[] ip = Frames.sized(200, 1);
        send(p, Frames.vxlan(100, ip));
        send(p, Frames.vxlan(100, ip));
        send(p, Frames.vxlan(100, Frames.arp()));          // filtered
        send(p, Frames.vxlan(7, ip));                      // unknown: makes vni-7
        send(p, Frames.vxlan(8, ip));                      // over max-sessions
        send(p, Frames.vxlan(9, ip));                      // over max-sessions
        send(p, new byte[10]);                             // decap error
        byte[] noIFlag = Frames.vxlan(100, ip);
        noIFlag[0] = 0;
        send(p, noIFlag);                                  // decap error

        assertNotNull(table.get(7));
        assertNull(table.get(8));
        Totals t = new Accounting(List.of(p), table).totals();
        assertEquals(8, t.received());
        assertEquals(1, t.filtered());
        assertEquals(2, t.dropped().get(DropReason.DECAP_ERROR));
        assertEquals(2, t.dropped().get(DropReason.SESSION_LIMIT));
        assertEquals(0, t.dropped().get(DropReason.UNKNOWN_VNI));
        assertEquals(3, t.pending(), "staged, not yet written");
        assertEquals(0, t.unaccounted());
    }

    @Test
    void unknownVnisAreDroppedWhenConfiguredTo() {
        SessionTable table = new SessionTable(List.of(session(100, "web", 0, SessionFilter.KEEP_ALL)), null, 1024);
        DatagramProcessor p = processor(table, 1 << 20);
        send(p, Frames.vxlan(5, Frames.arp()));
        send(p, Frames.vxlan(100, Frames.arp()));
        Totals t = new Accounting(List.of(p), table).totals();
        assertEquals(1, t.dropped().get(DropReason.UNKNOWN_VNI));
        assertEquals(1, t.pending());
        assertEquals(1, table.all().length, "no session made");
    }

    @Test
    void aFullRingDropsAndCountsWriterBacklog() {
        Session s = session(1, "s", 0, SessionFilter.KEEP_ALL);
        SessionTable table = new SessionTable(List.of(s), null, 0);
        DatagramProcessor p = processor(table, 64 << 10);
        byte[] big = Frames.vxlan(1, Frames.sized(9000, 1));
        int sent = 40; // 7 records of 9,024 bytes fit a 64 KiB ring, and no writer empties it
        for (int i = 0; i < sent; i++) {
            send(p, big);
        }
        Totals t = new Accounting(List.of(p), table).totals();
        assertEquals(7, t.pending());
        assertEquals(33, t.dropped().get(DropReason.WRITER_BACKLOG));
        assertEquals(0, t.unaccounted());
    }

    @Test
    void snaplenCutsTheRecordAndKeepsTheOriginalLength() {
        Session s = session(1, "s", 64, SessionFilter.KEEP_ALL);
        SessionTable table = new SessionTable(List.of(s), null, 0);
        DatagramProcessor p = processor(table, 1 << 20);
        send(p, Frames.vxlan(1, Frames.sized(1000, 1)));
        assertEquals(1, s.sum(l -> l.truncated()));
    }

    @Test
    void sendersOutsideAllowSourcesAreDroppedFirst() throws Exception {
        SessionTable table = new SessionTable(List.of(session(1, "s", 0, SessionFilter.KEEP_ALL)), null, 0, 1,
                new io.vxdump.filter.SourceAllowList(List.of(io.vxdump.filter.Cidr.parse("10.0.0.0/8"),
                        io.vxdump.filter.Cidr.parse("2001:db8::/32"))));
        DatagramProcessor p = processor(table, 1 << 20);
        byte[] d = Frames.vxlan(1, Frames.arp());
        for (String sender : new String[] {"10.1.2.3", "192.0.2.1", "2001:db8::5", "2001:db9::5"}) {
            p.process(Unpooled.wrappedBuffer(d), 0, d.length, java.net.InetAddress.getByName(sender));
        }
        p.process(Unpooled.wrappedBuffer(new byte[3]), 0, 3, java.net.InetAddress.getByName("192.0.2.1"));
        Totals t = new Accounting(List.of(p), table).totals();
        assertEquals(3, t.dropped().get(DropReason.SOURCE_NOT_ALLOWED), "checked before decap");
        assertEquals(2, t.pending());
        assertEquals(0, t.unaccounted());
    }

    @Test
    void eachRuleCountsThePacketsItDecided() throws Exception {
        SessionFilter f = new SessionFilter(Monitored.OUTER_SOURCE, List.of(
                RuleBuilder.parseCompact("200 any accept protocol=udp"),
                RuleBuilder.parseCompact("100 inbound reject protocol=tcp destination-port=443")), Action.REJECT);
        Session s = session(1, "s", 0, f);
        SessionTable table = new SessionTable(List.of(s), null, 0);
        DatagramProcessor p = processor(table, 1 << 20);
        java.net.InetAddress eni = java.net.InetAddress.getByName("10.0.1.10");
        byte[] https = Frames.vxlan(1, Frames.ethernet(0x0800, Frames.ipv4(6, "203.0.113.5", "10.0.1.10",
                Frames.tcp(5000, 443, new byte[0]))));
        byte[] dns = Frames.vxlan(1, Frames.ethernet(0x0800, Frames.ipv4(17, "10.0.1.10", "10.0.0.2",
                Frames.udp(5000, 53, new byte[0]))));
        byte[] arp = Frames.vxlan(1, Frames.arp());
        for (byte[] d : List.of(https, https, dns, arp, arp, arp)) {
            p.process(Unpooled.wrappedBuffer(d), 0, d.length, eni);
        }
        assertEquals(100, f.rules().get(0).number());
        assertEquals(2, s.lane(0).decisions(0), "rule 100");
        assertEquals(1, s.lane(0).decisions(1), "rule 200");
        assertEquals(3, s.lane(0).decisions(2), "the default");
        assertEquals(5, s.lane(0).filtered());
        assertEquals(1, s.lane(0).staged());
    }

    @Test
    void geneveFromAGwlbIsDecidedByTheMirrorSourceNotTheGwlb() throws Exception {
        // Reject inbound HTTPS to the monitored ENI: its direction must come from the inner source.
        SessionFilter f = new SessionFilter(Monitored.OUTER_SOURCE, List.of(
                RuleBuilder.parseCompact("100 inbound reject protocol=tcp destination-port=443")), Action.ACCEPT);
        Session s = session(5569041, "mirror", 0, f);
        SessionTable table = new SessionTable(List.of(s), vni -> session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL),
                10, 1, new io.vxdump.filter.SourceAllowList(List.of(io.vxdump.filter.Cidr.parse("10.0.1.0/24"))));
        DatagramProcessor p = processor(table, 1 << 20);
        java.net.InetAddress gwlb = java.net.InetAddress.getByName("192.0.2.50"); // not in allow-sources
        byte[] inboundHttps = Frames.ethernet(0x0800, Frames.ipv4(6, "203.0.113.5", "10.0.1.10", Frames.tcp(5000, 443, new byte[0])));
        byte[] outbound = Frames.ethernet(0x0800, Frames.ipv4(6, "10.0.1.10", "203.0.113.5", Frames.tcp(443, 5000, new byte[0])));
        for (byte[] d : List.of(
                Frames.gwlbMirror("10.0.1.10", 5569041, 1, inboundHttps),     // filtered: inbound to the mirror source
                Frames.gwlbMirror("10.0.1.10", 5569041, 1, outbound),         // kept
                Frames.gwlbMirror("10.0.7.7", 5569041, 1, outbound),          // the mirror source is not allowed
                Frames.geneve(0x80, 0x6558, 3, new byte[0], outbound),        // OAM
                Frames.geneve(0x40, 0x6558, 3, new byte[0], outbound),        // Ethernet: outer source (the GWLB) checked
                Frames.geneve(0, 0x0800, 3, new byte[0], new byte[12]))) {    // decap error
            p.processGeneve(Unpooled.wrappedBuffer(d), 0, d.length, gwlb);
        }
        Totals t = new Accounting(List.of(p), table).totals();
        assertEquals(6, t.received());
        assertEquals(1, t.filtered(), "inbound HTTPS, told by the mirror source");
        assertEquals(1, t.pending());
        assertEquals(2, t.dropped().get(DropReason.SOURCE_NOT_ALLOWED));
        assertEquals(1, t.dropped().get(DropReason.GENEVE_OAM));
        assertEquals(1, t.dropped().get(DropReason.DECAP_ERROR));
        assertEquals(0, t.unaccounted());
        assertEquals(1, table.all().length, "no session made for the GENEVE VNI of an Ethernet packet not allowed");
    }
}
