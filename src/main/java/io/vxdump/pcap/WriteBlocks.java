package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The write buffers of one writer thread: a bounded set of aligned blocks, lent to the sessions
 * that are writing. When all blocks are lent, the session whose block holds the most data gives
 * it back (writing what it holds first): that write is as large as any, so many sessions cost
 * more writes of about the same total size rather than many small ones, and memory is
 * {@code blocks × block size} whatever the number of sessions. Writer thread only.
 */
final class WriteBlocks {
    /** One block: {@code size} bytes written as a unit, plus room for one record that spills over. */
    static final class Block {
        final ByteBuffer nio;
        final ByteBuf buf;

        Block(ByteBuffer nio) {
            this.nio = nio;
            this.buf = Unpooled.wrappedBuffer(nio);
        }
    }

    /** Room past the block for the record that crosses its end (largest frame + record header). */
    static final int SPILL = 64 << 10;
    /**
     * Most bytes one write carries: a session that fills its block goes on into a spare one while
     * spares last, and writes the run at once. Fewer, larger requests: the virtio disk's durable
     * rate is 630 MB/s in 512 KiB requests and 880 MB/s in 4 MiB ones (bench/README, issue #17).
     */
    static final int RUN_BYTES = 4 << 20;
    /**
     * A run grows only while its oldest record is younger than this: runs form at high rates
     * (4 MiB in 5 ms at 800 MB/s), while at a low rate a full block is written at once, so no more
     * is in memory (lost to a SIGKILL or a power cut) than before runs.
     */
    static final long RUN_MAX_AGE_NANOS = 20_000_000L;
    /** Free bytes the output must have for runs: below it, a block per write. */
    static final long RUN_ROOM = 64L << 20;

    private final int blockSize;
    private final int alignment;
    private final int limit;
    /** Most blocks one write carries (a session's run). */
    private final int runBlocks;
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    private final SessionOutput[] holders;
    private int holderCount;
    /** Blocks lent as spares (the full blocks of sessions' runs). */
    private int spares;
    /** Blocks lent, for other threads (retention's reserve). */
    private volatile int lent;
    private int made;

    /**
     * @param memory    bytes for all blocks of this writer
     * @param blockSize bytes written at once; a multiple of the alignment
     */
    WriteBlocks(long memory, int blockSize, int alignment) {
        this.blockSize = blockSize;
        this.alignment = alignment;
        this.limit = (int) Math.max(2, memory / (blockSize + SPILL));
        this.runBlocks = Math.max(1, Math.min(RUN_BYTES / blockSize, limit / 2));
        this.holders = new SessionOutput[limit];
    }

    /** Blocks lent to sessions now; any thread. */
    int lent() {
        return lent;
    }

    int blockSize() {
        return blockSize;
    }

    /** Most blocks one write carries (a session's run). */
    int runBlocks() {
        return runBlocks;
    }

    /**
     * A further block for a session whose block is full, so that it writes a run of blocks at
     * once: a free or new one, never one taken from another session. Null when there is none.
     */
    Block spare() {
        Block b = free.poll();
        if (b == null && made < limit) {
            b = make();
        }
        if (b != null) {
            spares++;
            lent = holderCount + spares;
        }
        return b;
    }

    /** A spare block back (its run was written, or lost). */
    void giveBackSpare(Block b) {
        spares--;
        lent = holderCount + spares;
        free.push(b);
    }

    private Block make() {
        made++;
        int capacity = blockSize + SPILL;
        return new Block(ByteBuffer.allocateDirect(capacity + alignment).alignedSlice(alignment));
    }

    /**
     * Makes every block now: the daemon's writers call it before their thread starts, so the first
     * burst that needs many blocks does not zero fresh memory on the pinned core (in the profile
     * of a 1400 B load, 3 % of the core, in code the warm-up never reached: bench/README, issue 17
     * step 7). The memory is what {@code writer.buffer-memory} promises either way.
     */
    void makeAll() {
        while (made < limit) {
            free.push(make());
        }
    }

    /** Blocks made so far. */
    int made() {
        return made;
    }

    /** Most blocks there will ever be. */
    int limit() {
        return limit;
    }

    /**
     * A block for {@code taker}: a free one, a new one while under the limit, or the one of the
     * session holding the most data (which writes it first). Null only if none can be had.
     */
    Block take(SessionOutput taker, WriterContext ctx) {
        Block b = free.poll();
        if (b == null && made < limit) {
            b = make();
        }
        while (b == null && ctx.io.awaitAny(ctx)) {
            b = free.poll(); // the blocks of a write in flight come back when it is done
        }
        while (b == null) {
            SessionOutput victim = fullest(taker);
            if (victim == null) {
                return null;
            }
            victim.releaseBlock(ctx);
            b = free.poll();
        }
        taker.blockSlot = holderCount;
        holders[holderCount++] = taker;
        lent = holderCount + spares;
        return b;
    }

    private SessionOutput fullest(SessionOutput except) {
        SessionOutput best = null;
        int most = -1;
        for (int i = 0; i < holderCount; i++) {
            SessionOutput o = holders[i];
            // A block with nothing unwritten costs nothing to take; otherwise the fullest makes the largest write.
            int fill = o.blockFill() == 0 ? Integer.MAX_VALUE : o.blockFill();
            if (o != except && fill > most) {
                best = o;
                most = fill;
            }
        }
        return best;
    }

    void giveBack(SessionOutput holder, Block b) {
        int slot = holder.blockSlot;
        if (slot >= 0 && slot < holderCount && holders[slot] == holder) {
            SessionOutput last = holders[--holderCount];
            holders[slot] = last;
            last.blockSlot = slot;
            holders[holderCount] = null;
            lent = holderCount + spares;
        }
        holder.blockSlot = -1;
        free.push(b);
    }
}
