package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.vxdump.metrics.LongCounter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The files of one session, as its writer thread sees them: the open {@code .part} file, its
 * rotation state, the write block it borrows, and the counts of what reached disk. Only the
 * writer thread calls its methods; the counters may be read from anywhere.
 *
 * <p>Records are copied into a block (the writer's one copy) and written a block at a time, at
 * block-aligned positions: with direct I/O that is what {@code O_DIRECT} needs, and buffered it
 * makes few large writes. A partial block is written padded to the alignment (when the block is
 * lent to another session, when data has waited {@link #FLUSH_AFTER_NANOS}, when the file is
 * finished) and rewritten when more records follow; the finisher cuts the padding off. Between a
 * record's copy and its write it is pending: {@code size − pendingBytes} is always the end of the
 * records known to be in the file.
 */
public final class SessionOutput {
    /** Records wait in memory at most this long before they are written. */
    static final long FLUSH_AFTER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final String session;
    private final String prefix;
    private volatile int snaplen;
    /** System.nanoTime() of the last request to finish the open file (a reload), or 0. */
    private volatile long finishRequestedAt;
    private long finishHandled;
    private volatile boolean retired;
    /** True while a file is open: {@link #open} for other threads (the session table's expiry). */
    private volatile boolean fileOpen;
    /** The session table forgot this session: its writer drops it from its lists. */
    private volatile boolean forgotten;
    /** The writer has dropped it: nothing refers to it any more, its ids may be reused. */
    private volatile boolean purged;
    /** A writer has had a record of it (and so caches it until it is purged). */
    private volatile boolean seenByWriter;
    /** How long a reload's request waits, so packets staged under the old configuration still reach the file. */
    static final long RECONFIGURE_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private final Path directory;
    private final OutputSettings settings;

    private final LongCounter packetsWritten = new LongCounter();
    private final LongCounter bytesWritten = new LongCounter();
    private final LongCounter writeErrors = new LongCounter();
    private final LongCounter filesFinished = new LongCounter();
    private final LongCounter filesDeleted = new LongCounter();
    private final LongCounter liveDropped = new LongCounter();
    /** The live watchers (a bit each) that want this session, as of {@link #liveGeneration}; writer thread. */
    long liveMask;
    int liveGeneration = -1;
    /** This session's number to the live watchers ({@link RecordTap#id}), or -1 before it is asked. */
    int liveId = -1;

    /** This session's number to the live watchers; writer thread. */
    public int liveId() {
        return liveId;
    }

    final LruList.Node fileNode = new LruList.Node(this);
    /** This output's index among the block holders of its writer, or -1. */
    int blockSlot = -1;

    // The current file.
    private boolean open;
    /** In its writer's list of outputs; writer thread only. */
    boolean known;
    private FileChannel channel; // null while parked by the fd budget
    private Path partPath;
    private Path finalPath;
    private long size;
    private long packets;
    private long intervalEnd;
    private long nextSeq;
    private boolean directoryMade;

    // The borrowed block: bytes [blockStart, blockStart + fill) of the file; the first
    // writtenInBlock of them are in the file already.
    private WriteBlocks.Block block;
    private long blockStart;
    private int fill;
    private int writtenInBlock;
    // Full blocks before the borrowed one, not yet written (spares: see WriteBlocks.spare). They
    // hold the file's bytes just before blockStart, from run[0] at runFrom on; they are written
    // together with the borrowed block, so one request carries up to WriteBlocks.RUN_BYTES.
    private WriteBlocks.Block[] run;
    private int runLength;
    private int runFrom;
    /** Bytes the run holds that are not in the file. */
    private int runBytes;
    private ByteBuffer[] gather;
    /** The run being written by an I/O thread while this session fills its next block, or null. */
    private RunWrite flight;
    // The file's last partial aligned block, kept when the block is given back (direct I/O only),
    // so that borrowing again needs no read.
    private byte[] tail;
    private boolean tailValid;

    private long pendingPackets;
    private long pendingBytes;
    private int lastRecordLength;
    private long unwrittenSince;

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

    /** Records a live watcher did not get: it was behind (its buffer full). */
    public long liveDroppedCount() {
        return liveDropped.get();
    }

    /** A watcher's buffer was full: it loses this record (the file does not). Writer thread. */
    public void liveDropped() {
        liveDropped.increment();
    }

    LongCounter filesFinishedCounter() {
        return filesFinished;
    }

    LongCounter filesDeletedCounter() {
        return filesDeleted;
    }

    /**
     * Appends one record to the session's current file, rotating first where the policy says so.
     * The frame is {@code caplen} bytes of {@code src} from {@code index}.
     */
    void append(WriterContext ctx, long ts, ByteBuf src, int index, int caplen, int origlen) {
        if (!ctx.gate.allowed(ctx.now)) {
            drop(ctx, 1);
            return;
        }
        int recordLength = PcapFormat.RECORD_HEADER_LENGTH + caplen;
        RotationPolicy rotation = ctx.settings.rotation();
        if (open && (ts >= intervalEnd
                || (rotation.maxPackets() > 0 && packets >= rotation.maxPackets())
                || (rotation.maxBytes() > 0 && packets > 0 && size + recordLength > rotation.maxBytes()))) {
            finish(ctx);
        }
        if (!open && !openFile(ctx, ts)) {
            drop(ctx, 1);
            return;
        }
        if (block == null && !borrowBlock(ctx)) {
            drop(ctx, 1);
            return;
        }
        ByteBuf b = block.buf;
        long seconds = ts / 1_000_000_000L;
        long fraction = (ts - seconds * 1_000_000_000L) / settings.precision().nanosPerUnit();
        b.setIntLE(fill, (int) seconds);
        b.setIntLE(fill + 4, (int) fraction);
        b.setIntLE(fill + 8, caplen);
        b.setIntLE(fill + 12, origlen);
        b.setBytes(fill + PcapFormat.RECORD_HEADER_LENGTH, src, index, caplen);
        fill += recordLength;
        size += recordLength;
        packets++;
        pendingPackets++;
        pendingBytes += recordLength;
        lastRecordLength = recordLength;
        if (unwrittenSince == 0) {
            unwrittenSince = ctx.now | 1;
        }
        if (fill >= ctx.blocks.blockSize()) {
            blockFilled(ctx);
        }
        // A file that can take no further record is finished now, not when the next packet comes.
        if (open && ((rotation.maxPackets() > 0 && packets >= rotation.maxPackets())
                || (rotation.maxBytes() > 0 && size + PcapFormat.RECORD_HEADER_LENGTH >= rotation.maxBytes()))) {
            finish(ctx);
        }
    }

    private boolean openFile(WriterContext ctx, long firstTimestamp) {
        Path part = null;
        try {
            if (!directoryMade) {
                FileModes.createDirectories(directory);
                directoryMade = true;
            }
            if (nextSeq == 0) {
                nextSeq = FileNaming.nextSequence(directory, prefix);
            }
            String name = FileNaming.fileName(prefix, firstTimestamp, nextSeq);
            part = directory.resolve(name + FileNaming.PART);
            ctx.files.makeRoom(this, ctx);
            ctx.finisher.opening();
            channel = FileChannel.open(part, ctx.mode.openOptions(true), FileModes.created(part));
            FileModes.restrict(part);
            ctx.files.opened(this, false);
            nextSeq++;
            open = true;
            fileOpen = true;
            partPath = part;
            finalPath = directory.resolve(name);
            size = 0;
            packets = 0;
            intervalEnd = ctx.settings.rotation().intervalEnd(firstTimestamp);
        } catch (IOException e) {
            directoryMade = false;
            ctx.gate.failed("opening " + (part != null ? part : directory), e, ctx.now);
            return false;
        }
        if (!borrowBlock(ctx)) {
            abandonFile(ctx);
            return false;
        }
        ByteBuffer header = PcapFormat.fileHeader(settings.precision(), snaplen);
        block.buf.setBytes(0, header);
        fill = PcapFormat.FILE_HEADER_LENGTH;
        size = PcapFormat.FILE_HEADER_LENGTH;
        pendingBytes = PcapFormat.FILE_HEADER_LENGTH;
        return true;
    }

    /**
     * Borrows a block and positions it over the end of the file; with direct I/O the file's last
     * partial block is read back into it first, so that it can be rewritten whole.
     */
    private boolean borrowBlock(WriterContext ctx) {
        if (!settle(ctx)) {
            return false;
        }
        WriteBlocks.Block b = ctx.blocks.take(this, ctx);
        if (b == null) {
            return false;
        }
        block = b;
        blockStart = ctx.mode.alignDown(size);
        fill = (int) (size - blockStart);
        writtenInBlock = fill;
        if (fill > 0 && tailValid) {
            b.buf.setBytes(0, tail, 0, fill);
        } else if (fill > 0) {
            try {
                ensureChannel(ctx);
                ByteBuffer n = b.nio;
                n.clear().limit(ctx.mode.alignment());
                while (n.position() < fill) {
                    if (channel.read(n, blockStart + n.position()) < 0) {
                        throw new IOException("file shorter than written");
                    }
                }
            } catch (IOException e) {
                ctx.gate.failed("reading back " + partPath, e, ctx.now);
                returnBlock(ctx);
                return false;
            }
        }
        tailValid = false;
        return true;
    }

    /** Bytes the borrowed block and its run hold (0 without one): how much a write of them would carry. */
    int blockFill() {
        return block == null ? 0 : runBytes + fill - writtenInBlock;
    }

    /**
     * The block is full: go on into a spare block while the run may grow and spares last (the
     * record that crossed the end moves to the spare's start), else write the run.
     */
    private void blockFilled(WriterContext ctx) {
        int blockSize = ctx.blocks.blockSize();
        if (ctx.runs && runLength + 1 < ctx.blocks.runBlocks() && ctx.now - unwrittenSince < WriteBlocks.RUN_MAX_AGE_NANOS) {
            WriteBlocks.Block next = ctx.blocks.spare();
            if (next != null) {
                if (run == null) {
                    run = new WriteBlocks.Block[ctx.blocks.runBlocks()];
                    gather = new ByteBuffer[run.length];
                }
                if (runLength == 0) {
                    runFrom = (int) ctx.mode.alignDown(writtenInBlock);
                }
                runBytes += blockSize - (runLength == 0 ? runFrom : 0);
                run[runLength++] = block;
                int spill = fill - blockSize;
                if (spill > 0) {
                    next.buf.setBytes(0, block.buf, blockSize, spill);
                }
                block = next;
                blockStart += blockSize;
                fill = spill;
                writtenInBlock = 0;
                return;
            }
        }
        writeFullBlock(ctx);
    }

    private void ensureChannel(WriterContext ctx) throws IOException {
        if (channel == null) {
            ctx.files.makeRoom(this, ctx);
            ctx.finisher.opening();
            channel = FileChannel.open(partPath, ctx.mode.openOptions(false));
            ctx.files.opened(this, true);
        } else {
            ctx.files.touch(this);
        }
    }

    /** Closes the file descriptor to stay within the budget; the file stays open for writing. */
    void closeChannel(WriterContext ctx) {
        settle(ctx);
        ctx.files.closed(this);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was buffered in the channel; the next write reopens the file
            }
            channel = null;
        }
    }

    /**
     * Writes the first block-size bytes (and the run before them) and moves the record that
     * spilled past them to the front: handed to an I/O thread where runs are allowed and a spare
     * block can take the spill, else here and now.
     */
    private void writeFullBlock(WriterContext ctx) {
        if (!settle(ctx)) {
            return; // the write before failed: the file was cut back, what was pending is counted lost
        }
        int blockSize = ctx.blocks.blockSize();
        int from = (int) ctx.mode.alignDown(writtenInBlock);
        if (ctx.runs) {
            WriteBlocks.Block next = ctx.blocks.spare();
            if (next != null) {
                handOver(ctx, from, next);
                return;
            }
        }
        if (!writeRange(ctx, from, blockSize)) {
            return;
        }
        returnRun(ctx);
        int spill = fill - blockSize;
        if (spill > 0) {
            // The last record crosses the block's end: it is in the file only once the next block is.
            committed(pendingPackets - 1, pendingBytes - lastRecordLength);
            pendingPackets = 1;
            pendingBytes = lastRecordLength; // its head is in the file, but a failure cuts back to its start
            unwrittenSince = ctx.now | 1; // what waits now is that one record, just appended
            ByteBuf b = block.buf;
            b.setBytes(0, b, blockSize, spill);
        } else {
            committed(pendingPackets, pendingBytes);
            pendingPackets = 0;
            pendingBytes = 0;
            unwrittenSince = 0;
        }
        blockStart += blockSize;
        fill = spill;
        writtenInBlock = 0;
    }

    /**
     * Hands the run and the full block to an I/O thread and goes on in {@code next}, a spare block
     * that takes the record spilled past the full one. The records stay pending until the write is
     * done ({@link #writeDone}); the blocks stay lent, as spares, until then.
     */
    private void handOver(WriterContext ctx, int from, WriteBlocks.Block next) {
        if (!ctx.gate.allowed(ctx.now)) {
            ctx.blocks.giveBackSpare(next);
            failPending(ctx); // writes are failing (disk full): what waits here is lost, and counted
            return;
        }
        try {
            ensureChannel(ctx);
        } catch (IOException e) {
            ctx.blocks.giveBackSpare(next);
            ctx.gate.failed("writing " + partPath, e, ctx.now);
            failPending(ctx);
            return;
        }
        int blockSize = ctx.blocks.blockSize();
        if (flight == null) {
            flight = new RunWrite(ctx.blocks.runBlocks() + 1);
            flight.owner = this;
        }
        RunWrite w = flight;
        int count = 0;
        for (int i = 0; i < runLength; i++) {
            w.blocks[count] = run[i];
            w.gather[count++] = run[i].nio.limit(blockSize).position(i == 0 ? runFrom : 0);
            run[i] = null;
        }
        w.blocks[count] = block;
        w.gather[count++] = block.nio.limit(blockSize).position(from);
        w.count = count;
        w.position = runLength > 0 ? blockStart - (long) runLength * blockSize + runFrom : blockStart + from;
        w.channel = channel;
        int spill = fill - blockSize;
        // The record that crosses the end is in the file only once the next block is.
        w.packets = spill > 0 ? pendingPackets - 1 : pendingPackets;
        w.recordBytes = spill > 0 ? pendingBytes - lastRecordLength : pendingBytes;
        ctx.writes++;
        ctx.writeBytes.add(runBytes + blockSize - from);
        if (spill > 0) {
            next.buf.setBytes(0, block.buf, blockSize, spill);
        }
        unwrittenSince = spill > 0 ? ctx.now | 1 : 0;
        block = next; // the session keeps its holder's place; the full block is a spare until written
        blockStart += blockSize;
        fill = spill;
        writtenInBlock = 0;
        runLength = 0;
        runBytes = 0;
        runFrom = 0;
        ctx.io.submit(w);
    }

    /**
     * Waits for this session's write in flight, if any, and takes its outcome: before anything
     * else touches the file or its descriptor. False if it failed (the file is then cut back and
     * what was pending counted lost, as for a write made here).
     */
    private boolean settle(WriterContext ctx) {
        return flight == null || !flight.active || ctx.io.await(flight, ctx);
    }

    /** The write in flight is done (writer thread): its blocks back to the pool, its records committed or lost. */
    boolean writeDone(WriterContext ctx) {
        RunWrite w = flight;
        w.active = false;
        for (int i = 0; i < w.count; i++) {
            ctx.blocks.giveBackSpare(w.blocks[i]);
            w.blocks[i] = null;
            w.gather[i] = null;
        }
        w.channel = null;
        if (w.error != null) {
            ctx.gate.failed("writing " + partPath, w.error, ctx.now); // first, so health sees it before the count
            failPending(ctx);
            return false;
        }
        ctx.gate.succeeded();
        committed(w.packets, w.recordBytes);
        pendingPackets -= w.packets;
        pendingBytes -= w.recordBytes;
        return true;
    }

    /** Writes what the block holds beyond what is in the file, padded to the alignment. */
    private boolean writePartial(WriterContext ctx) {
        if (!settle(ctx)) {
            return false;
        }
        if (block == null || (fill <= writtenInBlock && runLength == 0)) {
            return true;
        }
        int from = (int) ctx.mode.alignDown(writtenInBlock);
        int to = (int) ctx.mode.alignUp(fill);
        if (to > fill) {
            block.buf.setZero(fill, to - fill);
        }
        if (!writeRange(ctx, from, to)) {
            return false;
        }
        returnRun(ctx);
        committed(pendingPackets, pendingBytes);
        pendingPackets = 0;
        pendingBytes = 0;
        unwrittenSince = 0;
        writtenInBlock = fill;
        return true;
    }

    private boolean writeRange(WriterContext ctx, int from, int to) {
        if (!ctx.gate.allowed(ctx.now)) {
            failPending(ctx); // writes are failing (disk full): what waits here is lost, and counted
            return false;
        }
        try {
            ensureChannel(ctx);
            ByteBuffer n = block.nio;
            n.limit(to).position(from);
            ctx.writes++;
            if (runLength == 0) {
                ctx.writeBytes.add(to - from);
                while (n.hasRemaining()) {
                    channel.write(n, blockStart + n.position());
                }
            } else {
                writeRun(ctx, n);
            }
            ctx.gate.succeeded();
            return true;
        } catch (IOException e) {
            ctx.gate.failed("writing " + partPath, e, ctx.now); // first, so health sees it before the count
            failPending(ctx);
            return false;
        }
    }

    /** One gathering write of the run and then {@code last} (the borrowed block's range). */
    private void writeRun(WriterContext ctx, ByteBuffer last) throws IOException {
        int blockSize = ctx.blocks.blockSize();
        for (int i = 0; i < runLength; i++) {
            gather[i] = run[i].nio.limit(blockSize).position(i == 0 ? runFrom : 0);
        }
        gather[runLength] = last;
        int count = runLength + 1;
        ctx.writeBytes.add(runBytes + last.remaining());
        channel.position(blockStart - (long) runLength * blockSize + runFrom);
        while (last.hasRemaining()) {
            channel.write(gather, 0, count);
        }
        for (int i = 0; i < count; i++) {
            gather[i] = null;
        }
    }

    /** The run was written (or lost): its blocks go back to the pool. */
    private void returnRun(WriterContext ctx) {
        for (int i = 0; i < runLength; i++) {
            ctx.blocks.giveBackSpare(run[i]);
            run[i] = null;
        }
        runLength = 0;
        runBytes = 0;
        runFrom = 0;
    }

    private void committed(long packetCount, long bytes) {
        if (packetCount > 0) {
            packetsWritten.add(packetCount);
        }
        bytesWritten.add(bytes);
    }

    /**
     * A write failed: the pending records are lost (counted as write_error), the file is cut back
     * to the records known to be in it, and the block is given back; the next record reads the
     * file's tail again.
     */
    private void failPending(WriterContext ctx) {
        tailValid = false;
        drop(ctx, pendingPackets);
        packets -= pendingPackets;
        size -= pendingBytes;
        pendingPackets = 0;
        pendingBytes = 0;
        unwrittenSince = 0;
        returnBlock(ctx);
        if (packets <= 0) {
            abandonFile(ctx);
            return;
        }
        try {
            if (channel != null) {
                channel.truncate(size);
            }
        } catch (IOException ignored) {
            // the finisher truncates to size again before renaming
        }
    }

    /** Deletes a file that holds no record (its first write failed). */
    private void abandonFile(WriterContext ctx) {
        tailValid = false;
        closeChannel(ctx);
        returnBlock(ctx);
        try {
            if (partPath != null) {
                Files.deleteIfExists(partPath);
            }
        } catch (IOException ignored) {
            // a leftover with no record is deleted by recovery at the next start
        }
        forgetFile();
    }

    private void drop(WriterContext ctx, long count) {
        if (count > 0) {
            writeErrors.add(count);
            ctx.gate.dropped(count);
        }
    }

    /** Gives the block back to the pool (another session needs it), writing what it holds first. */
    void releaseBlock(WriterContext ctx) {
        if (block == null) {
            return;
        }
        if (!writePartial(ctx) || block == null) {
            return; // failPending gave the block back
        }
        int partial = (int) (size - ctx.mode.alignDown(size));
        if (partial > 0 && ctx.mode.direct()) {
            // Keep the partial aligned block: the next borrow continues it without reading the file.
            if (tail == null) {
                tail = new byte[ctx.mode.alignment()];
            }
            block.buf.getBytes(fill - partial, tail, 0, partial);
            tailValid = true;
        }
        returnBlock(ctx);
    }

    private void returnBlock(WriterContext ctx) {
        returnRun(ctx);
        if (block != null) {
            ctx.blocks.giveBack(this, block);
            block = null;
        }
    }

    /** No file is open any more (it was finished or abandoned). */
    private void forgetFile() {
        open = false;
        fileOpen = false;
        partPath = null;
        finalPath = null;
        size = 0;
        packets = 0;
        pendingBytes = 0;
        pendingPackets = 0;
    }

    /**
     * Timer work: finishes the file when its interval has passed with no packet to trigger
     * rotation, and writes records that have waited too long in the block.
     */
    void tick(WriterContext ctx, long wallNanos) {
        long requested = finishRequestedAt;
        if (requested != 0 && ctx.now - requested >= RECONFIGURE_GRACE_NANOS) {
            // A reload removed the session or changed its snaplen: finish the file once the packets
            // staged before it are written; a removed session's stragglers get finished too.
            if (requested != finishHandled || retired) {
                finishHandled = requested;
                finish(ctx);
                return;
            }
        }
        if (open && wallNanos >= intervalEnd) {
            finish(ctx);
        } else if (unwrittenSince != 0 && ctx.now - unwrittenSince >= FLUSH_AFTER_NANOS) {
            writePartial(ctx);
        }
    }

    /**
     * A reload changed the session's snaplen: files from now on get it in their header, and the open
     * file is finished after a grace second. Any thread.
     */
    public void snaplen(int snaplen) {
        this.snaplen = snaplen;
        finishRequestedAt = System.nanoTime() | 1;
    }

    /**
     * A reload removed the session ({@code true}) or brought it back: a removed session's open
     * file is finished after a grace second, and so is any file a straggling packet opens. Any thread.
     */
    public void retired(boolean retired) {
        this.retired = retired;
        if (retired) {
            finishRequestedAt = System.nanoTime() | 1;
        }
    }

    /** Whether a reload or expiry retired it: its open file is to be finished. Any thread. */
    public boolean isRetired() {
        return retired;
    }

    /** True while a file is open; any thread. */
    public boolean fileOpen() {
        return fileOpen;
    }

    /** The session table forgot this session (it expired long ago): its writer lets go of it. Any thread. */
    public void forget() {
        forgotten = true;
    }

    boolean forgotten() {
        return forgotten;
    }

    /**
     * Its writer let go of it (after {@link #forget}), or never had a record of it: an id that named
     * it may name another session.
     */
    public boolean purged() {
        return purged || !seenByWriter;
    }

    void seenByWriter() {
        seenByWriter = true;
    }

    void purged(boolean purged) {
        this.purged = purged;
    }

    /** True while a file is open (being written). Writer thread. */
    boolean isOpen() {
        return open;
    }

    /** Writes what is pending and hands the file, if any, to the finisher. */
    void finish(WriterContext ctx) {
        if (!open) {
            return;
        }
        settle(ctx);
        if (!open) {
            return; // the write in flight failed and the file held no other record
        }
        releaseBlock(ctx);
        if (!open) {
            return; // the last write failed and the file held no record
        }
        closeChannel(ctx);
        ctx.finisher.finish(new FinishedFile(this, partPath, finalPath, size - pendingBytes));
        forgetFile();
    }

    /** A file handed from the writer to the finisher, with the length it must end at. */
    record FinishedFile(SessionOutput owner, Path part, Path target, long size) {
    }
}
