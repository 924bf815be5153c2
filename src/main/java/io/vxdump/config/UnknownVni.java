package io.vxdump.config;

/** What happens to a VNI no configured session names. */
public enum UnknownVni {
    /** Make a session {@code vni-<N>} for it (up to max-sessions). */
    CAPTURE,
    /** Drop its packets and count them as unknown_vni. */
    DROP
}
