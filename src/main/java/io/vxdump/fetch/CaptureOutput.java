package io.vxdump.fetch;

import io.vxdump.capture.CapturedPacket;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * The fetched capture as a stream: classic pcap when every input has one link type (what every
 * tool reads), pcapng with one interface per link type when they differ. Little-endian,
 * microsecond or nanosecond timestamps, snaplen 262144 (the largest any input may have).
 */
abstract class CaptureOutput implements AutoCloseable {
    static final int SNAPLEN = 262_144;
    protected final OutputStream out;
    protected final boolean nanos;
    protected final ByteBuffer scratch = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);

    private CaptureOutput(OutputStream out, boolean nanos) {
        this.out = new BufferedOutputStream(out, 1 << 20);
        this.nanos = nanos;
    }

    /** Classic pcap of one link type. */
    static CaptureOutput pcap(OutputStream out, boolean nanos, int linkType) throws IOException {
        return new Pcap(out, nanos, linkType);
    }

    /** pcapng: an interface per link type, described before its first packet. */
    static CaptureOutput pcapng(OutputStream out, boolean nanos) throws IOException {
        return new Pcapng(out, nanos);
    }

    /** Writes the packet; false when this output cannot carry its link type (classic pcap of another). */
    abstract boolean write(CapturedPacket p) throws IOException;

    /** Pushes what is buffered to the reader (a pipe to Wireshark sees packets before the end). */
    void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    private static final class Pcap extends CaptureOutput {
        private final int linkType;

        Pcap(OutputStream out, boolean nanos, int linkType) throws IOException {
            super(out, nanos);
            this.linkType = linkType;
            scratch.clear();
            scratch.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                    .putInt(SNAPLEN).putInt(linkType);
            this.out.write(scratch.array(), 0, 24);
        }

        @Override
        boolean write(CapturedPacket p) throws IOException {
            if (p.linkType() != linkType) {
                return false;
            }
            long t = p.timestampNanos();
            long fraction = Math.floorMod(t, 1_000_000_000L);
            scratch.clear();
            scratch.putInt((int) Math.floorDiv(t, 1_000_000_000L)).putInt((int) (nanos ? fraction : fraction / 1000))
                    .putInt(p.data().length).putInt(p.originalLength());
            out.write(scratch.array(), 0, 16);
            out.write(p.data());
            return true;
        }
    }

    private static final class Pcapng extends CaptureOutput {
        private static final byte[] ZEROS = new byte[4];
        private final Map<Integer, Integer> interfaces = new HashMap<>();

        Pcapng(OutputStream out, boolean nanos) throws IOException {
            super(out, nanos);
            // Section header block: byte-order magic, version 1.0, section length unknown.
            scratch.clear();
            scratch.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0)
                    .putLong(-1L).putInt(28);
            this.out.write(scratch.array(), 0, 28);
        }

        private int interfaceOf(int linkType) throws IOException {
            Integer id = interfaces.get(linkType);
            if (id != null) {
                return id;
            }
            // Interface description block; if_tsresol 9 (nanoseconds) when asked, else the default microseconds.
            int length = nanos ? 32 : 20;
            scratch.clear();
            scratch.putInt(1).putInt(length).putShort((short) linkType).putShort((short) 0).putInt(SNAPLEN);
            if (nanos) {
                scratch.putShort((short) 9).putShort((short) 1).put((byte) 9).put((byte) 0).putShort((short) 0)
                        .putInt(0); // if_tsresol, then opt_endofopt
            }
            scratch.putInt(length);
            out.write(scratch.array(), 0, length);
            id = interfaces.size();
            interfaces.put(linkType, id);
            return id;
        }

        @Override
        boolean write(CapturedPacket p) throws IOException {
            int id = interfaceOf(p.linkType());
            long t = p.timestampNanos();
            long units = nanos ? t : Math.floorDiv(t, 1000L);
            int caplen = p.data().length;
            int padded = (caplen + 3) & ~3;
            int length = 32 + padded;
            scratch.clear();
            scratch.putInt(6).putInt(length).putInt(id).putInt((int) (units >>> 32)).putInt((int) units).putInt(caplen)
                    .putInt(p.originalLength());
            out.write(scratch.array(), 0, 28);
            out.write(p.data());
            out.write(ZEROS, 0, padded - caplen);
            scratch.clear();
            scratch.putInt(length);
            out.write(scratch.array(), 0, 4);
            return true;
        }
    }
}
