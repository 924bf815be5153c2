package io.vxdump.pcap;

import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The writer side (pool, queue, writer thread, finisher) without sockets, for file tests. */
final class WriterHarness {
    final OutputSettings settings;
    final FileFinisher finisher;
    final WriteQueue queue = new WriteQueue(64);
    final StagingPool pool = new StagingPool(64, 256 << 10);
    final PcapWriter writer;

    WriterHarness(Path dir, RotationPolicy rotation, Retention retention, Optional<String> postRotate, Precision precision) {
        settings = new OutputSettings(dir, precision, rotation, retention, postRotate);
        finisher = new FileFinisher(settings);
        writer = new PcapWriter(queue, finisher, dir, 64 << 10);
    }

    WriterHarness(Path dir, RotationPolicy rotation) {
        this(dir, rotation, new Retention(0, 0), Optional.empty(), Precision.NANO);
    }

    WriterHarness start() {
        writer.start();
        return this;
    }

    SessionOutput session(String name, int snaplen) {
        return new SessionOutput(name, snaplen, settings);
    }

    /** Stages the frames into one buffer (timestamps {@code ts[i]}) and hands it to the writer. */
    void write(SessionOutput s, long[] ts, List<byte[]> frames) {
        StagingBuffer b = pool.take();
        b.assign(s);
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            b.append(ts[i], settings.precision(), Unpooled.wrappedBuffer(f), 0, f.length, f.length);
        }
        queue.submit(b);
    }

    void write(SessionOutput s, long ts, byte[] frame, int caplen, int origlen) {
        StagingBuffer b = pool.take();
        b.assign(s);
        b.append(ts, settings.precision(), Unpooled.wrappedBuffer(frame), 0, caplen, origlen);
        queue.submit(b);
    }

    void stop() throws InterruptedException {
        writer.drainAndStop();
        finisher.shutdown();
    }
}
