package io.vxdump.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * The write buffers of one writer thread: a bounded set of aligned blocks, lent to the sessions
 * that are writing. A session keeps its block while it is among the recently written; when all
 * blocks are lent, the least recently used session gives its block back (writing what it holds
 * first), so memory is {@code blocks × block size} whatever the number of sessions. Writer thread
 * only.
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

    private final int blockSize;
    private final int alignment;
    private final int limit;
    private final ArrayDeque<Block> free = new ArrayDeque<>();
    private final LruList holders = new LruList();
    private int made;

    /**
     * @param memory    bytes for all blocks of this writer
     * @param blockSize bytes written at once; a multiple of the alignment
     */
    WriteBlocks(long memory, int blockSize, int alignment) {
        this.blockSize = blockSize;
        this.alignment = alignment;
        this.limit = (int) Math.max(2, memory / (blockSize + SPILL));
    }

    int blockSize() {
        return blockSize;
    }

    /** Most blocks there will ever be. */
    int limit() {
        return limit;
    }

    /** Blocks made so far (they are never freed). */
    int made() {
        return made;
    }

    /**
     * A block for {@code taker}: a free one, a new one while under the limit, or the least
     * recently used session's (which writes what it holds first).
     */
    Block take(SessionOutput taker, WriterContext ctx) {
        Block b = free.poll();
        if (b == null && made < limit) {
            made++;
            int capacity = blockSize + SPILL;
            b = new Block(ByteBuffer.allocateDirect(capacity + alignment).alignedSlice(alignment));
        }
        while (b == null) {
            SessionOutput victim = holders.oldest();
            if (victim == null || victim == taker) {
                return null;
            }
            victim.releaseBlock(ctx);
            b = free.poll();
        }
        holders.touch(taker.blockNode);
        return b;
    }

    /** Marks {@code o} as just written to. */
    void touch(SessionOutput o) {
        holders.touch(o.blockNode);
    }

    void giveBack(SessionOutput holder, Block b) {
        holders.remove(holder.blockNode);
        b.buf.clear();
        free.push(b);
    }
}
