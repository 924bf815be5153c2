package io.vxdump.pcap;

/** How many finished files, and how many bytes of them, a session keeps; zero means no limit. */
public record Retention(long maxFiles, long maxBytes) {
    public boolean unlimited() {
        return maxFiles <= 0 && maxBytes <= 0;
    }
}
