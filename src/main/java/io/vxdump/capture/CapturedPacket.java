package io.vxdump.capture;

/** One packet read from a capture file: when, on what link type, and the bytes captured. */
public record CapturedPacket(long timestampNanos, int linkType, byte[] data, int originalLength) {
}
