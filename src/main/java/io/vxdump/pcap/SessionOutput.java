package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.vxdump.metrics.LongCounter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The files of one session, as the writer thread sees them: the open {@code .part} file, its
 * rotation state, and the counts of what reached disk. Only the writer thread calls its methods;
 * the counters may be read from anywhere.
 */
public final class SessionOutput {
    private final String session;
    private final String prefix;
    private final int snaplen;
    private final Path directory;
    private final OutputSettings settings;

    private final LongCounter packetsWritten = new LongCounter();
    private final LongCounter bytesWritten = new LongCounter();
    private final LongCounter writeErrors = new LongCounter();
    private final LongCounter filesFinished = new LongCounter();
    private final LongCounter filesDeleted = new LongCounter();

    private FileChannel channel;
    private Path partPath;
    private Path finalPath;
    private long size;
    private long packets;
    private long intervalEnd;
    private long nextSeq;

    public SessionOutput(String session, int snaplen, OutputSettings settings) {
        this.session = session;
        this.prefix = settings.filePrefix(session);
        this.snaplen = snaplen;
        this.settings = settings;
        this.directory = settings.directory().resolve(session);
    }

    public String session() {
        return session;
    }

    public Path directory() {
        return directory;
    }

    /** Packets that reached a file. */
    public long packetsWritten() {
        return packetsWritten.get();
    }

    /** Bytes that reached a file: file headers, record headers and frames. */
    public long bytesWritten() {
        return bytesWritten.get();
    }

    /** Packets dropped because the write failed or failures were ongoing. */
    public long writeErrors() {
        return writeErrors.get();
    }

    /** Files finished (renamed to .pcap); counted by the finisher thread. */
    public long filesFinished() {
        return filesFinished.get();
    }

    /** Files deleted by retention; counted by the finisher thread. */
    public long filesDeleted() {
        return filesDeleted.get();
    }

    LongCounter filesFinishedCounter() {
        return filesFinished;
    }

    LongCounter filesDeletedCounter() {
        return filesDeleted;
    }

    /** Writes the records of {@code buffer}, rotating between records where the policy says so. */
    void write(StagingBuffer buffer, WriteFailureGate gate, FileFinisher finisher, long nowNanos) {
        ByteBuf b = buffer.bytes();
        RotationPolicy rotation = settings.rotation();
        int end = b.writerIndex();
        int pos = 0;
        int runStart = 0;
        int runPackets = 0;
        while (pos < end) {
            int recordLength = PcapFormat.RECORD_HEADER_LENGTH + b.getIntLE(pos + 8);
            long ts = PcapFormat.timestampNanos(b.getUnsignedIntLE(pos), b.getUnsignedIntLE(pos + 4),
                    settings.precision());
            if (channel != null) {
                long fileRecords = packets + runPackets;
                long fileSize = size + (pos - runStart);
                boolean rotate = ts >= intervalEnd
                        || (rotation.maxPackets() > 0 && fileRecords >= rotation.maxPackets())
                        || (rotation.maxBytes() > 0 && fileRecords > 0 && fileSize + recordLength > rotation.maxBytes());
                if (rotate) {
                    writeRun(b, runStart, pos - runStart, runPackets, gate, nowNanos);
                    runStart = pos;
                    runPackets = 0;
                    finish(finisher);
                }
            }
            if (channel == null && runPackets == 0) {
                open(ts, gate, nowNanos);
            }
            runPackets++;
            pos += recordLength;
        }
        writeRun(b, runStart, pos - runStart, runPackets, gate, nowNanos);
        // A file that can take no further record is finished now, not when the next packet comes.
        if (channel != null && ((rotation.maxPackets() > 0 && packets >= rotation.maxPackets())
                || (rotation.maxBytes() > 0 && size + PcapFormat.RECORD_HEADER_LENGTH >= rotation.maxBytes()))) {
            finish(finisher);
        }
    }

    private void open(long firstTimestamp, WriteFailureGate gate, long nowNanos) {
        if (!gate.allowed(nowNanos)) {
            return;
        }
        Path part = null;
        try {
            Files.createDirectories(directory);
            if (nextSeq == 0) {
                nextSeq = FileNaming.nextSequence(directory, prefix);
            }
            String name = FileNaming.fileName(prefix, firstTimestamp, nextSeq);
            finalPath = directory.resolve(name);
            part = directory.resolve(name + FileNaming.PART);
            FileChannel c = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                ByteBuffer header = PcapFormat.fileHeader(settings.precision(), snaplen);
                while (header.hasRemaining()) {
                    c.write(header);
                }
            } catch (IOException e) {
                c.close();
                Files.deleteIfExists(part);
                throw e;
            }
            nextSeq++;
            channel = c;
            partPath = part;
            size = PcapFormat.FILE_HEADER_LENGTH;
            packets = 0;
            intervalEnd = settings.rotation().intervalEnd(firstTimestamp);
            bytesWritten.add(PcapFormat.FILE_HEADER_LENGTH);
        } catch (IOException e) {
            gate.failed("opening " + (part != null ? part : directory), e, nowNanos);
        }
    }

    private void writeRun(ByteBuf b, int from, int length, int runPackets, WriteFailureGate gate, long nowNanos) {
        if (runPackets == 0) {
            return;
        }
        if (channel == null || !gate.allowed(nowNanos)) {
            drop(runPackets, gate);
            return;
        }
        try {
            int done = 0;
            while (done < length) {
                done += b.getBytes(from + done, channel, size + done, length - done);
            }
            size += length;
            packets += runPackets;
            packetsWritten.add(runPackets);
            bytesWritten.add(length);
            gate.succeeded();
        } catch (IOException e) {
            // Cut what part of the run reached the file, so no partial record stays behind.
            try {
                channel.truncate(size);
            } catch (IOException ignored) {
                // the finisher truncates to size again before renaming
            }
            gate.failed("writing " + partPath, e, nowNanos); // first, so health sees it before the count
            drop(runPackets, gate);
        }
    }

    private void drop(int runPackets, WriteFailureGate gate) {
        writeErrors.add(runPackets);
        gate.dropped(runPackets);
    }

    /** Finishes the open file when its interval has passed with no packet to trigger rotation. */
    void tick(long wallNanos, FileFinisher finisher) {
        if (channel != null && wallNanos >= intervalEnd) {
            finish(finisher);
        }
    }

    /** Hands the open file, if any, to the finisher. */
    void finish(FileFinisher finisher) {
        if (channel == null) {
            return;
        }
        finisher.finish(new OpenFile(this, channel, partPath, finalPath, size));
        channel = null;
        partPath = null;
        finalPath = null;
    }

    /** A file handed from the writer to the finisher, with the length it must end at. */
    record OpenFile(SessionOutput owner, FileChannel channel, Path part, Path target, long size) {
    }
}
