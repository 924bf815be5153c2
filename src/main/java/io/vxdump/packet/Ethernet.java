package io.vxdump.packet;

/** Ethernet II constants used by the inner-frame parser. */
public final class Ethernet {
    /** Destination MAC, source MAC, EtherType. */
    public static final int HEADER_LENGTH = 14;
    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_IPV6 = 0x86DD;
    public static final int TYPE_ARP = 0x0806;
    /** 802.1Q customer tag. */
    public static final int TYPE_VLAN = 0x8100;
    /** 802.1ad service tag (QinQ outer tag). */
    public static final int TYPE_QINQ = 0x88A8;
    /** Bytes of one VLAN tag (TCI + inner EtherType). */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Tags the parser looks through. */
    public static final int MAX_VLAN_TAGS = 2;

    private Ethernet() {
    }
}
