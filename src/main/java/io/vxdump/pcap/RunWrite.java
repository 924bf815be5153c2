package io.vxdump.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * One session's write in flight: a run of full blocks handed to an I/O thread
 * ({@link WritesInFlight}) while the writer thread fills the session's next block. Made once per
 * session and reused. The writer thread sets it up before handing it over and reads the outcome
 * once {@link #done} is true; the I/O thread only writes and records the outcome.
 */
final class RunWrite {
    final WriteBlocks.Block[] blocks;
    final ByteBuffer[] gather;
    int count;
    FileChannel channel;
    long position;
    /** The records this write completes, and their bytes (a record that spills past it is not one). */
    long packets;
    long recordBytes;
    SessionOutput owner;
    Thread writer;
    /** Handed over and its outcome not yet taken; writer thread only. */
    boolean active;
    volatile boolean done;
    /** The write's failure, or null; written before {@link #done}. */
    IOException error;

    RunWrite(int maxBlocks) {
        this.blocks = new WriteBlocks.Block[maxBlocks];
        this.gather = new ByteBuffer[maxBlocks];
    }

    /** On the I/O thread: one gathering write at {@link #position}, then the writer is told. */
    void perform() {
        IOException failed = null;
        try {
            channel.position(position);
            ByteBuffer last = gather[count - 1];
            while (last.hasRemaining()) {
                channel.write(gather, 0, count);
            }
        } catch (IOException e) {
            failed = e;
        } catch (Throwable t) { // never leave the writer waiting for a write that will not end
            failed = new IOException(t);
        }
        error = failed;
        done = true;
        LockSupport.unpark(writer);
    }
}
