package io.vxdump.capture;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng: section header blocks (each sets the byte order), interface description blocks (link
 * type, snaplen, timestamp resolution), enhanced and simple packet blocks; other blocks are skipped.
 */
final class PcapngReader extends CaptureReader {
    private static final int SHB = 0x0A0D0D0A;
    private static final int IDB = 1;
    private static final int SPB = 3;
    private static final int EPB = 6;
    private static final int MAX_BLOCK = 1 << 26;

    private record Interface(int linkType, int snaplen, long unitsPerSecond) {
    }

    private ByteOrder order;
    private final List<Interface> interfaces = new ArrayList<>();
    private long lastTimestamp;

    @Override
    public boolean nanosecondTimestamps() {
        // The interfaces seen so far: a pcapng file describes its interfaces before their packets.
        return interfaces.stream().anyMatch(i -> i.unitsPerSecond() > 1_000_000);
    }

    PcapngReader(InputStream in, Path file) throws IOException {
        super(in, file);
        readSectionHeader();
    }

    /** The rest of a section header, whose type was just read. */
    private void readSectionHeader() throws IOException {
        byte[] lengthAndMagic = read(8, false);
        int magic = ByteBuffer.wrap(lengthAndMagic, 4, 4).getInt();
        if (magic == 0x1A2B3C4D) {
            order = ByteOrder.BIG_ENDIAN;
        } else if (magic == 0x4D3C2B1A) {
            order = ByteOrder.LITTLE_ENDIAN;
        } else {
            throw new CaptureFormatException("not a capture file (bad pcapng byte-order magic)", false);
        }
        int length = ByteBuffer.wrap(lengthAndMagic).order(order).getInt(0);
        checkLength(length, 28);
        skip(length - 12);
        interfaces.clear();
    }

    @Override
    public CapturedPacket next() throws IOException {
        while (true) {
            byte[] typeBytes = read(4, true);
            if (typeBytes == null) {
                return null;
            }
            int type = ByteBuffer.wrap(typeBytes).order(order).getInt();
            if (type == SHB) {
                readSectionHeader();
                continue;
            }
            int length = ByteBuffer.wrap(read(4, false)).order(order).getInt();
            checkLength(length, 12);
            ByteBuffer body = ByteBuffer.wrap(read(length - 8, false)).order(order); // body + trailing length
            int fixed = type == IDB ? 20 : type == EPB ? 32 : type == SPB ? 16 : 12; // headers, fixed fields, trailer
            if (length < fixed) {
                throw new CaptureFormatException("a pcapng block of type " + type + " is too short (" + length
                        + " bytes) for its fields: corrupt", false);
            }
            switch (type) {
                case IDB -> interfaces.add(describeInterface(body, length - 12));
                case EPB -> {
                    return enhanced(body);
                }
                case SPB -> {
                    return simple(body, length - 12);
                }
                default -> {
                    // name resolution, statistics, custom blocks: nothing to replay
                }
            }
        }
    }

    private Interface describeInterface(ByteBuffer b, int bodyLength) {
        int linkType = b.getShort(0) & 0xFFFF;
        int snaplen = b.getInt(4);
        long unitsPerSecond = 1_000_000;
        int at = 8;
        while (at + 4 <= bodyLength) {
            int code = b.getShort(at) & 0xFFFF;
            int len = b.getShort(at + 2) & 0xFFFF;
            if (code == 0) {
                break;
            }
            if (code == 9 && len >= 1) { // if_tsresol
                int v = b.get(at + 4) & 0xFF;
                unitsPerSecond = (v & 0x80) == 0 ? pow(10, v) : pow(2, v & 0x7F);
            }
            at += 4 + ((len + 3) & ~3);
        }
        return new Interface(linkType, snaplen, unitsPerSecond);
    }

    private CapturedPacket enhanced(ByteBuffer b) throws CaptureFormatException {
        Interface i = interfaceOf(b.getInt(0));
        long units = (Integer.toUnsignedLong(b.getInt(4)) << 32) | Integer.toUnsignedLong(b.getInt(8));
        int caplen = b.getInt(12);
        int origlen = b.getInt(16);
        if (caplen < 0 || caplen > b.capacity() - 24) { // no int overflow for an absurd caplen
            throw new CaptureFormatException("an enhanced packet block claims more bytes than it holds: corrupt", false);
        }
        byte[] data = new byte[caplen];
        b.get(20, data);
        lastTimestamp = toNanos(units, i.unitsPerSecond());
        return new CapturedPacket(lastTimestamp, i.linkType(), data, origlen);
    }

    private CapturedPacket simple(ByteBuffer b, int bodyLength) throws CaptureFormatException {
        Interface i = interfaceOf(0);
        int origlen = b.getInt(0);
        int caplen = Math.min(origlen, bodyLength - 4);
        if (i.snaplen() > 0) {
            caplen = Math.min(caplen, i.snaplen());
        }
        byte[] data = new byte[Math.max(0, caplen)];
        b.get(4, data);
        // A simple packet block has no timestamp: it keeps the previous packet's time.
        return new CapturedPacket(lastTimestamp, i.linkType(), data, origlen);
    }

    private Interface interfaceOf(int id) throws CaptureFormatException {
        if (id < 0 || id >= interfaces.size()) {
            throw new CaptureFormatException("a packet names interface " + id + ", which no block described", false);
        }
        return interfaces.get(id);
    }

    private static void checkLength(int length, int min) throws CaptureFormatException {
        if (length < min || length > MAX_BLOCK || length % 4 != 0) {
            throw new CaptureFormatException("a pcapng block has an impossible length " + length + ": corrupt", false);
        }
    }

    private static long toNanos(long units, long unitsPerSecond) {
        if (unitsPerSecond == 1_000_000_000L) {
            return units;
        }
        if (1_000_000_000L % unitsPerSecond == 0) {
            return units * (1_000_000_000L / unitsPerSecond);
        }
        return BigInteger.valueOf(units).multiply(BigInteger.valueOf(1_000_000_000L))
                .divide(BigInteger.valueOf(unitsPerSecond)).longValue();
    }

    private static long pow(int base, int exp) {
        long r = 1;
        for (int k = 0; k < exp && r < Long.MAX_VALUE / base; k++) {
            r *= base;
        }
        return r;
    }
}
