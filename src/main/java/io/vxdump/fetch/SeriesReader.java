package io.vxdump.fetch;

import io.vxdump.capture.CaptureReader;
import io.vxdump.capture.CapturedPacket;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * The packets of one series (one session of one instance) inside the window, file after file: its
 * files follow each other in time, so one is open at a time. Records before the window are
 * skipped; a file is left at its first record past the window. A truncated or corrupt file gives
 * its whole records and one warning.
 */
final class SeriesReader implements AutoCloseable {
    private final List<ArchivedFile> files;
    private final TimeWindow window;
    private final Consumer<String> warn;
    private int next;
    private CaptureReader reader;
    private ArchivedFile current;
    private long readInFile;
    private CapturedPacket head;
    private int filesOpened;

    SeriesReader(List<ArchivedFile> files, TimeWindow window, Consumer<String> warn) {
        this.files = files;
        this.window = window;
        this.warn = warn;
    }

    /** The next packet in the window (kept as {@link #head()}), or false at the end. */
    boolean advance() throws IOException {
        while (true) {
            if (reader == null && !openNext()) {
                head = null;
                return false;
            }
            CapturedPacket p;
            try {
                p = reader.next();
            } catch (IOException e) { // truncated, corrupt, or a gzip stream cut short
                String why = e.getMessage() == null ? e.toString() : e.getMessage();
                warn.accept(current.location() + ": " + why + "; its " + readInFile
                        + " whole record(s) before that were read, the rest is left out");
                p = null;
            }
            if (p == null || p.timestampNanos() >= window.toNanos()) {
                closeFile(); // files are in time order: nothing later in this one is wanted
                continue;
            }
            readInFile++;
            if (p.timestampNanos() >= window.fromNanos()) {
                head = p;
                return true;
            }
        }
    }

    CapturedPacket head() {
        return head;
    }

    /** True when the file being read has nanosecond timestamps. */
    boolean nanos() {
        return reader != null && reader.nanosecondTimestamps();
    }

    /** The file being read (null before the first and after the last). */
    ArchivedFile current() {
        return reader == null ? null : current;
    }

    /** Files opened so far. */
    int filesOpened() {
        return filesOpened;
    }

    /** Opens a file of the archive, gunzipping a {@code .pcap.gz}. */
    static CaptureReader open(ArchivedFile f) throws IOException {
        InputStream in = f.open();
        try {
            return CaptureReader.open(f.gzip() ? new GZIPInputStream(in, 1 << 16) : in, java.nio.file.Path.of(f.name()));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private boolean openNext() throws IOException {
        while (next < files.size()) {
            current = files.get(next++);
            readInFile = 0;
            try {
                reader = open(current);
                filesOpened++;
                return true;
            } catch (IOException e) {
                warn.accept(current.location() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage())
                        + "; left out");
            }
        }
        return false;
    }

    private void closeFile() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeFile();
    }
}
