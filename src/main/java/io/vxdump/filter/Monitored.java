package io.vxdump.filter;

import io.vxdump.packet.InnerFrame;
import java.util.List;

/**
 * Which addresses belong to the monitored interface, and so which way a packet goes: outbound
 * when its inner source is monitored, inbound when its inner destination is. With no list, the
 * monitored address is the datagram's outer source (the mirror source ENI's primary IP, which an
 * NLB preserves). When both ends are monitored the packet counts as outbound: the copy was taken
 * as it left a monitored interface.
 */
public final class Monitored {
    /** The outer source address of each datagram (the default). */
    public static final Monitored OUTER_SOURCE = new Monitored(List.of());

    private final Cidr[] blocks;

    private Monitored(List<Cidr> blocks) {
        this.blocks = blocks.toArray(new Cidr[0]);
    }

    public static Monitored of(List<Cidr> blocks) {
        return blocks.isEmpty() ? OUTER_SOURCE : new Monitored(blocks);
    }

    /**
     * The packet's direction. {@code outerSource4} is the outer IPv4 source as an int, valid when
     * {@code outerIsIpv4}; an IPv6 outer source matches nothing by default.
     */
    Direction direction(InnerFrame f, int outerSource4, boolean outerIsIpv4) {
        int v = f.ipVersion();
        if (v == 0) {
            return Direction.ANY;
        }
        if (blocks.length == 0) {
            if (v != 4 || !outerIsIpv4) {
                return Direction.ANY;
            }
            return f.ipv4Source() == outerSource4 ? Direction.OUTBOUND
                    : f.ipv4Destination() == outerSource4 ? Direction.INBOUND : Direction.ANY;
        }
        if (contains(f, true)) {
            return Direction.OUTBOUND;
        }
        return contains(f, false) ? Direction.INBOUND : Direction.ANY;
    }

    private boolean contains(InnerFrame f, boolean source) {
        for (Cidr c : blocks) {
            boolean hit = f.ipVersion() == 4
                    ? c.contains4(source ? f.ipv4Source() : f.ipv4Destination())
                    : source ? c.contains6(f.ipv6SourceHigh(), f.ipv6SourceLow())
                    : c.contains6(f.ipv6DestinationHigh(), f.ipv6DestinationLow());
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /** How check-config prints it. */
    public String describe() {
        if (blocks.length == 0) {
            return "the outer source address of each datagram";
        }
        StringBuilder s = new StringBuilder();
        for (Cidr c : blocks) {
            s.append(s.length() == 0 ? "" : ", ").append(c);
        }
        return s.toString();
    }

    /** Same blocks in the same order: the same directions for every packet. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Monitored m && java.util.Arrays.equals(blocks, m.blocks);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(blocks);
    }
}
