package io.vxdump.capture;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads classic pcap (both byte orders, micro- and nanosecond) and pcapng, in pure Java, one
 * packet at a time. {@link #next()} returns null at the end, and throws
 * {@link CaptureFormatException} (truncated) when the file ends inside a record, after every whole
 * packet before it was returned.
 */
public abstract class CaptureReader implements Closeable {
    private final InputStream in;
    protected final Path file;

    protected CaptureReader(InputStream in, Path file) {
        this.in = in;
        this.file = file;
    }

    /** Opens {@code file}, telling classic pcap from pcapng by the first four bytes. */
    public static CaptureReader open(Path file) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        return open(in, file);
    }

    /**
     * Reads a capture from {@code stream} (a download, a gunzip), named {@code name} in messages;
     * closes the stream when it is not a capture.
     */
    public static CaptureReader open(InputStream stream, Path name) throws IOException {
        InputStream in = new BufferedInputStream(stream, 1 << 16);
        Path file = name;
        byte[] magic;
        try {
            magic = in.readNBytes(4);
        } catch (IOException e) {
            in.close();
            throw e;
        }
        if (magic.length < 4) {
            in.close();
            throw new CaptureFormatException("not a capture file (too short for a header)", false);
        }
        int be = ByteBuffer.wrap(magic).getInt();
        try {
            if (be == 0x0A0D0D0A) {
                return new PcapngReader(in, file);
            }
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                int m = ByteBuffer.wrap(magic).order(order).getInt();
                if (m == 0xA1B2C3D4 || m == 0xA1B23C4D) {
                    return new PcapReader(in, file, order, m == 0xA1B23C4D);
                }
            }
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        in.close();
        throw new CaptureFormatException("not a capture file (neither pcap nor pcapng magic)", false);
    }

    /** True when timestamps are finer than microseconds (nanosecond pcap, a pcapng resolution). */
    public boolean nanosecondTimestamps() {
        return false;
    }

    /** The next packet, or null at the end of the file. */
    public abstract CapturedPacket next() throws IOException;

    /** Exactly {@code n} bytes, or null at a clean end of file (nothing read); truncated otherwise. */
    protected byte[] read(int n, boolean atRecordStart) throws IOException {
        byte[] b = new byte[n];
        return fill(b, n, atRecordStart) ? b : null;
    }

    /**
     * Reads exactly {@code n} bytes into {@code b} (a buffer the reader keeps, for headers): false at
     * a clean end of file (nothing read); truncated otherwise. {@code readNBytes} into an array, not
     * the allocating {@code readNBytes(int)}, which gathers chunks and copies them again.
     */
    protected boolean fill(byte[] b, int n, boolean atRecordStart) throws IOException {
        int got = in.readNBytes(b, 0, n);
        if (got == n) {
            return true;
        }
        if (got == 0 && atRecordStart) {
            return false;
        }
        throw new CaptureFormatException("truncated last record (the file ends inside it)", true);
    }

    protected void skip(int n) throws IOException {
        read(n, false);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
