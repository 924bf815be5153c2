package io.vxdump.filter;

import io.vxdump.packet.InnerFrame;

/**
 * A {@link FilterRule} flattened into primitive fields for the packet path: no boxing, no
 * parsing, no branch on a missing field that a sentinel cannot replace.
 */
final class CompiledRule {
    private final Direction direction;
    private final boolean accept;
    private final int protocol;
    private final int family;
    private final Cidr source;
    private final Cidr destination;
    private final boolean hasPorts;
    private final int sourceFrom;
    private final int sourceTo;
    private final int destinationFrom;
    private final int destinationTo;

    CompiledRule(FilterRule r) {
        direction = r.direction();
        accept = r.action() == Action.ACCEPT;
        protocol = r.protocol();
        family = r.family();
        source = r.source();
        destination = r.destination();
        hasPorts = r.sourcePort() != null || r.destinationPort() != null;
        sourceFrom = r.sourcePort() == null ? 0 : r.sourcePort().from();
        sourceTo = r.sourcePort() == null ? 65535 : r.sourcePort().to();
        destinationFrom = r.destinationPort() == null ? 0 : r.destinationPort().from();
        destinationTo = r.destinationPort() == null ? 65535 : r.destinationPort().to();
    }

    boolean accept() {
        return accept;
    }

    boolean matches(InnerFrame f, Direction packetDirection) {
        if (direction != Direction.ANY && direction != packetDirection) {
            return false;
        }
        int version = f.ipVersion();
        if (version == 0) {
            // Non-IP frames (ARP and the like) only meet rules that ask nothing of IP.
            return protocol == Protocols.ALL && family == 0 && !hasPorts;
        }
        if (protocol != Protocols.ALL && protocol != f.protocol()) {
            return false;
        }
        if (family != 0 && family != version) {
            return false;
        }
        if (version == 4) {
            if ((source != null && !source.contains4(f.ipv4Source()))
                    || (destination != null && !destination.contains4(f.ipv4Destination()))) {
                return false;
            }
        } else if ((source != null && !source.contains6(f.ipv6SourceHigh(), f.ipv6SourceLow()))
                || (destination != null && !destination.contains6(f.ipv6DestinationHigh(), f.ipv6DestinationLow()))) {
            return false;
        }
        if (hasPorts) {
            // Later fragments, and frames cut before the ports, carry none: a port rule cannot match.
            int sp = f.sourcePort();
            int dp = f.destinationPort();
            return sp >= 0 && sp >= sourceFrom && sp <= sourceTo && dp >= destinationFrom && dp <= destinationTo;
        }
        return true;
    }
}
