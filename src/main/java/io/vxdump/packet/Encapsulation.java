package io.vxdump.packet;

/** How mirrored packets arrive on a listener: VXLAN (an NLB, or a target ENI) or GENEVE (a GWLB). */
public enum Encapsulation {
    /** VXLAN on UDP 4789: what Traffic Mirroring sends. */
    VXLAN(4789),
    /** GENEVE on UDP 6081: what a Gateway Load Balancer hands its targets. */
    GENEVE(6081);

    private final int port;

    Encapsulation(int port) {
        this.port = port;
    }

    /** The IANA port of this encapsulation. */
    public int port() {
        return port;
    }

    /** The prefix in {@code --listen} and the metric label: {@code vxlan}, {@code geneve}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
