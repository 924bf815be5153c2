package io.vxdump.packet;

/** IANA protocol numbers the parser needs to know. */
public final class IpProtocol {
    public static final int HOPOPT = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int IPV6_ROUTE = 43;
    public static final int IPV6_FRAG = 44;
    public static final int ESP = 50;
    public static final int AH = 51;
    public static final int ICMPV6 = 58;
    public static final int IPV6_NONXT = 59;
    public static final int IPV6_OPTS = 60;
    public static final int MOBILITY = 135;
    public static final int HIP = 139;
    public static final int SHIM6 = 140;

    private IpProtocol() {
    }

    /** True for the IPv6 extension headers that use the generic (next header, length) layout. */
    static boolean isGenericIpv6Extension(int nextHeader) {
        return nextHeader == HOPOPT || nextHeader == IPV6_ROUTE || nextHeader == IPV6_OPTS
                || nextHeader == MOBILITY || nextHeader == HIP || nextHeader == SHIM6;
    }
}
