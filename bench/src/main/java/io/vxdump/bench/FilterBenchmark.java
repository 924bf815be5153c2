package io.vxdump.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.config.ConfigBuilder;
import io.vxdump.config.ConfigFile;
import io.vxdump.filter.Action;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.RuleBuilder;
import io.vxdump.filter.SessionFilter;
import io.vxdump.packet.InnerFrame;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Filter evaluation per packet on a parsed frame: the GoldenBank reverse-proxy filter as
 * examples/goldenbank-app1.yaml writes it (run from the repository root), and a 10-rule filter
 * that every packet of the mix walks to the end. A mix of eight frames (inbound HTTPS and HTTP,
 * outbound replies, DNS, NTP, IPv6, ARP) is cycled; the score is ns per packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FilterBenchmark {
    private static final int MIX = 8;

    @Param({"goldenbank-revproxy", "ten-rules"})
    String filter;

    private SessionFilter compiled;
    private final InnerFrame[] frames = new InnerFrame[MIX];
    private final int outer = 0x0A00010A; // 10.0.1.10, the reverse proxy's ENI

    @Setup
    public void setUp() throws Exception {
        if (filter.equals("goldenbank-revproxy")) {
            ConfigBuilder b = new ConfigBuilder();
            ConfigFile.apply(Path.of("examples", "goldenbank-app1.yaml"), b);
            compiled = b.build().sessions().get(0).filter();
        } else {
            List<FilterRule> rules = new ArrayList<>();
            String[] ten = {
                "100 inbound reject protocol=tcp destination=10.9.0.0/16 destination-port=8443",
                "200 inbound reject protocol=udp source=192.168.0.0/16 destination-port=5000-5100",
                "300 outbound reject protocol=tcp source-port=9000-9100",
                "400 outbound reject protocol=udp destination=172.16.0.0/12",
                "500 inbound reject protocol=47",
                "600 any reject protocol=tcp source=2001:db8:dead::/48",
                "700 any reject protocol=icmp destination=10.200.0.0/16",
                "800 inbound reject protocol=tcp source=198.51.100.0/24 destination-port=ssh",
                "900 outbound reject protocol=udp destination-port=ntp destination=10.99.0.0/16",
                "1000 any reject protocol=tcp destination-port=mysql"};
            for (String r : ten) {
                rules.add(RuleBuilder.parseCompact(r));
            }
            compiled = new SessionFilter(Monitored.OUTER_SOURCE, rules, Action.ACCEPT);
        }
        byte[][] mix = {
            ipv4(6, "203.0.113.5", "10.0.1.10", 51000, 443),
            ipv4(6, "203.0.113.5", "10.0.1.10", 51001, 80),
            ipv4(6, "10.0.1.10", "203.0.113.5", 443, 51000),
            ipv4(17, "10.0.1.10", "10.0.0.2", 40000, 53),
            ipv4(17, "10.0.0.2", "10.0.1.10", 53, 40000),
            ipv4(17, "10.0.1.10", "10.0.0.5", 123, 123),
            ipv6(),
            arp()};
        for (int i = 0; i < MIX; i++) {
            ByteBuf b = Unpooled.directBuffer(mix[i].length).writeBytes(mix[i]);
            frames[i] = new InnerFrame().wrap(b, 0, mix[i].length);
        }
    }

    @Benchmark
    @OperationsPerInvocation(MIX)
    public int decideMix() {
        int sum = 0;
        for (InnerFrame f : frames) {
            sum += compiled.decide(f, outer, true);
        }
        return sum;
    }

    private static byte[] ipv4(int protocol, String src, String dst, int sport, int dport) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 20);
        b.put(new byte[12]).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).put(addr(src)).put(addr(dst));
        b.putShort((short) sport).putShort((short) dport).put(new byte[16]);
        return b.array();
    }

    private static byte[] ipv6() {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 20);
        b.put(new byte[12]).putShort((short) 0x86DD);
        b.putInt(0x60000000).putShort((short) 20).put((byte) 6).put((byte) 64);
        b.putLong(0x20010db800000000L).putLong(1).putLong(0x20010db800000000L).putLong(2);
        b.putShort((short) 40000).putShort((short) 22).put(new byte[16]);
        return b.array();
    }

    private static byte[] arp() {
        ByteBuffer b = ByteBuffer.allocate(14 + 28);
        b.put(new byte[12]).putShort((short) 0x0806).put(new byte[28]);
        return b.array();
    }

    private static byte[] addr(String a) {
        String[] p = a.split("\\.");
        return new byte[] {(byte) Integer.parseInt(p[0]), (byte) Integer.parseInt(p[1]),
                (byte) Integer.parseInt(p[2]), (byte) Integer.parseInt(p[3])};
    }
}
