package io.vxdump.receive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.filter.Action;
import io.vxdump.filter.Cidr;
import io.vxdump.filter.Direction;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.PortRange;
import io.vxdump.filter.SessionFilter;
import io.vxdump.metrics.Accounting;
import io.vxdump.metrics.DropReason;
import io.vxdump.metrics.Totals;
import io.vxdump.pcap.FileFinisher;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.PcapWriter;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.pcap.WriteMode;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A million seeded datagrams, valid and malformed, through the real packet path (processor,
 * staging ring, writer, finisher) into real files: no exception, every datagram in exactly one
 * count, and every kept frame byte-exact in its session's files, in order. A failure names its
 * seed; {@code -Dvxdump.fuzz.seed=N} runs that seed again.
 */
class PacketPathFuzzTest {
    private static final int DATAGRAMS = 1_000_000;
    private static final int MAX_UNKNOWN_SESSIONS = 24;
    private static final int FILTERED_VNI = 1;
    private static final int SNAPLEN_VNI = 3;
    private static final int SNAPLEN = 96;

    @TempDir
    Path dir;

    /** What the generator expects of one VNI's session: its frames in order, as a running checksum. */
    private static final class Expected {
        final CRC32C crc = new CRC32C();
        long frames;
        long decapped;
    }

    @Test
    void aMillionSeededDatagramsAreCountedOnceAndWrittenByteExact() throws Exception {
        long seed = Long.getLong("vxdump.fuzz.seed", System.nanoTime());
        String because = "seed " + seed + " (-Dvxdump.fuzz.seed=" + seed + ")";
        Random r = new Random(seed);

        OutputSettings out = new OutputSettings(dir, Precision.NANO, new RotationPolicy(32L << 20, 0, 0),
                new Retention(0, 0), Optional.empty());
        // VNI 1 rejects inbound TCP to 443 and UDP from 53: some frames go, some stay.
        SessionFilter filter = new SessionFilter(Monitored.of(List.of(Cidr.parse("10.0.0.0/8"))), List.of(
                new FilterRule(100, Direction.INBOUND, Action.REJECT, 6, null, null, null, new PortRange(443, 443), ""),
                new FilterRule(200, Direction.ANY, Action.REJECT, 17, null, null, new PortRange(53, 53), null, "")),
                Action.ACCEPT);
        List<Session> configured = List.of(
                new Session(FILTERED_VNI, "filtered", 0, filter, new SessionOutput("filtered", 0, out), 1),
                new Session(SNAPLEN_VNI, "cut", SNAPLEN, SessionFilter.KEEP_ALL, new SessionOutput("cut", SNAPLEN, out), 1));
        SessionTable table = new SessionTable(configured,
                vni -> new Session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL, new SessionOutput("vni-" + vni, 0, out), 1),
                MAX_UNKNOWN_SESSIONS);
        StagingRing ring = new StagingRing(16 << 20);
        FileFinisher finisher = new FileFinisher(out);
        PcapWriter writer = new PcapWriter(0, new StagingRing[] {ring}, id -> table.byId(id).output(), finisher, out,
                WriteMode.probe(dir, WriteMode.Choice.AUTO), 8 << 20, 256 << 10, 1000);
        writer.start();
        DatagramProcessor processor = new DatagramProcessor(0, table, new StagingRing[] {ring},
                new WriterWakeup[] {writer.wakeup()});

        Map<Integer, Expected> expected = new HashMap<>();
        Set<Integer> unknownMade = new HashSet<>();
        long decapErrors = 0;
        long sessionLimit = 0;
        InetAddress[] senders = {InetAddress.getByName("10.0.1.10"), InetAddress.getByName("192.0.2.7"),
                InetAddress.getByName("2001:db8::1")};
        ByteBuf buf = Unpooled.directBuffer(9216 + 64);
        for (int i = 0; i < DATAGRAMS; i++) {
            byte[] d = datagram(r);
            int offset = r.nextInt(64); // the datagram anywhere in the batch buffer, as recvmmsg leaves it
            buf.setBytes(offset, d);
            try {
                processor.process(buf, offset, d.length, senders[r.nextInt(senders.length)]);
            } catch (RuntimeException e) {
                throw new AssertionError("datagram " + i + " threw, " + because, e);
            }
            if (d.length < 22 || (d[0] & 0x08) == 0) {
                decapErrors++;
            } else {
                int vni = ((d[4] & 0xFF) << 16) | ((d[5] & 0xFF) << 8) | (d[6] & 0xFF);
                boolean known = vni == FILTERED_VNI || vni == SNAPLEN_VNI || unknownMade.contains(vni);
                if (!known && unknownMade.size() < MAX_UNKNOWN_SESSIONS) {
                    unknownMade.add(vni);
                    known = true;
                }
                if (!known) {
                    sessionLimit++;
                } else {
                    Expected e = expected.computeIfAbsent(vni, v -> new Expected());
                    e.decapped++;
                    if (vni != FILTERED_VNI) {
                        int caplen = vni == SNAPLEN_VNI ? Math.min(SNAPLEN, d.length - 8) : d.length - 8;
                        e.crc.update(d, 8, caplen);
                        e.frames++;
                    }
                }
            }
            if ((i & 1023) == 1023) {
                processor.tick(); // as the receive thread's timer does: a watermark, a wake-up
                while (ring.backlog() > ring.capacity() / 2) {
                    processor.tick();
                    Thread.onSpinWait();
                }
            }
        }
        processor.close();
        writer.drainAndStop();
        finisher.shutdown();

        Totals t = new Accounting(List.of(processor), table).totals();
        assertEquals(DATAGRAMS, t.received(), because);
        assertEquals(decapErrors, t.dropped().get(DropReason.DECAP_ERROR), because);
        assertEquals(sessionLimit, t.dropped().get(DropReason.SESSION_LIMIT), because);
        assertEquals(0, t.dropped().get(DropReason.WRITER_BACKLOG), because);
        assertEquals(0, t.dropped().get(DropReason.WRITE_ERROR), because);
        assertEquals(0, t.pending(), because);
        assertEquals(DATAGRAMS, t.written() + t.filtered() + decapErrors + sessionLimit, "the identity, " + because);
        assertTrue(decapErrors > 50_000 && sessionLimit > 1_000, "the generator makes every kind: " + because);

        for (Session s : table.all()) {
            Expected e = expected.get(s.vni());
            if (s.vni() == FILTERED_VNI) {
                assertEquals(e.decapped, s.output().packetsWritten() + s.sum(l -> l.filtered()), because);
                assertTrue(s.sum(l -> l.filtered()) > 0 && s.output().packetsWritten() > 0, "the filter cut: " + because);
                continue;
            }
            CRC32C got = new CRC32C();
            long frames = readFrames(dir.resolve(s.name()), got);
            assertEquals(e.frames, frames, s.name() + ", " + because);
            assertEquals(e.crc.getValue(), got.getValue(), s.name() + ": the frames byte-exact and in order, " + because);
        }
    }

    /** One datagram: mostly VXLAN with a plausible or mangled inner frame, some not VXLAN at all. */
    private static byte[] datagram(Random r) {
        int kind = r.nextInt(100);
        if (kind < 4) {
            byte[] d = new byte[r.nextInt(22)]; // too short for VXLAN + Ethernet
            r.nextBytes(d);
            return d;
        }
        if (kind < 8) {
            byte[] d = new byte[22 + r.nextInt(300)];
            r.nextBytes(d);
            d[0] &= ~0x08; // no I flag
            return d;
        }
        int vni = r.nextInt(10) == 0 ? r.nextInt(1 << 24) : r.nextInt(40);
        byte[] frame = kind < 14 ? random(r, 14 + r.nextInt(1500)) : frame(r);
        byte[] d = new byte[8 + frame.length];
        d[0] = (byte) (0x08 | (r.nextInt(8) == 0 ? r.nextInt(256) : 0)); // reserved bits as real encapsulators set them
        d[4] = (byte) (vni >> 16);
        d[5] = (byte) (vni >> 8);
        d[6] = (byte) vni;
        System.arraycopy(frame, 0, d, 8, frame.length);
        return d;
    }

    private static byte[] random(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return b;
    }

    /** Ethernet (perhaps VLAN-tagged) with IPv4, IPv6, ARP or junk, fields sane or not, cut anywhere. */
    private static byte[] frame(Random r) {
        ByteBuffer b = ByteBuffer.allocate(1600).order(ByteOrder.BIG_ENDIAN);
        b.put(random(r, 12));
        int tags = r.nextInt(10) == 0 ? 1 + r.nextInt(2) : 0;
        for (int i = 0; i < tags; i++) {
            b.putShort((short) (i == 0 && tags == 2 ? 0x88a8 : 0x8100)).putShort((short) r.nextInt(4096));
        }
        int type = r.nextInt(10);
        if (type < 5) {
            b.putShort((short) 0x0800);
            int ihl = r.nextInt(8) == 0 ? r.nextInt(16) : 5;
            int protocol = new int[] {6, 17, 1, r.nextInt(256)}[r.nextInt(4)];
            int payload = r.nextInt(1200);
            int total = r.nextInt(8) == 0 ? r.nextInt(65536) : ihl * 4 + payload;
            b.put((byte) (0x40 | ihl)).put((byte) 0).putShort((short) total).putShort((short) r.nextInt(65536))
                    .putShort((short) (r.nextInt(6) == 0 ? r.nextInt(65536) : 0)).put((byte) 64).put((byte) protocol)
                    .putShort((short) 0).put(r.nextBoolean() ? new byte[] {10, 0, 1, 10} : random(r, 4))
                    .put(r.nextBoolean() ? new byte[] {10, 0, 1, 10} : random(r, 4));
            for (int i = 5; i < ihl; i++) {
                b.putInt(r.nextInt());
            }
            ports(r, b);
            b.put(random(r, Math.min(payload, b.remaining())));
        } else if (type < 8) {
            b.putShort((short) 0x86DD);
            int next = new int[] {6, 17, 58, 0, 44, r.nextInt(256)}[r.nextInt(6)];
            b.putInt(0x60000000).putShort((short) r.nextInt(1400)).put((byte) next).put((byte) 64)
                    .put(random(r, 32));
            if (next == 0 || next == 44) { // an extension header, then TCP
                b.put((byte) 6).put((byte) (r.nextInt(3))).put(random(r, 6));
            }
            ports(r, b);
            b.put(random(r, r.nextInt(1000)));
        } else if (type < 9) {
            b.putShort((short) 0x0806).put(random(r, 28));
        } else {
            b.putShort((short) r.nextInt(65536)).put(random(r, r.nextInt(200)));
        }
        int length = b.position();
        if (r.nextInt(5) == 0) {
            length = 14 + r.nextInt(length - 13); // cut by a mirror session's packet length
        }
        byte[] frame = new byte[length];
        b.flip().get(frame, 0, length);
        return frame;
    }

    private static void ports(Random r, ByteBuffer b) {
        int[] common = {443, 53, 80, 123, 22};
        b.putShort((short) (r.nextBoolean() ? common[r.nextInt(common.length)] : r.nextInt(65536)))
                .putShort((short) (r.nextBoolean() ? common[r.nextInt(common.length)] : r.nextInt(65536)))
                .put(random(r, 16));
    }

    /** Reads every record of a session's finished files, in name order, into {@code crc}; returns how many. */
    private static long readFrames(Path session, CRC32C crc) throws Exception {
        long n = 0;
        List<Path> files;
        try (Stream<Path> s = Files.list(session)) {
            files = s.sorted().toList();
        }
        for (Path f : files) {
            assertTrue(f.toString().endsWith(".pcap"), "finished: " + f);
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            b.position(24);
            while (b.hasRemaining()) {
                b.getInt();
                b.getInt();
                int caplen = b.getInt();
                int origlen = b.getInt();
                assertTrue(origlen >= caplen, f + ": origlen " + origlen + " < caplen " + caplen);
                crc.update(b.array(), b.position(), caplen);
                b.position(b.position() + caplen);
                n++;
            }
        }
        return n;
    }
}
