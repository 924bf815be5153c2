package io.vxdump.pcap;

import io.netty.buffer.Unpooled;
import io.vxdump.stage.StagingRing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The writer side (a staging ring, a writer thread, the finisher) without sockets, for file
 * tests: the test thread stands in for a receive thread.
 */
final class WriterHarness {
    final OutputSettings settings;
    final FileFinisher finisher;
    final StagingRing ring = new StagingRing(4 << 20);
    final List<SessionOutput> sessions = new ArrayList<>();
    final WriteMode mode;
    final PcapWriter writer;

    WriterHarness(Path dir, RotationPolicy rotation, Retention retention, Optional<String> postRotate, Precision precision,
                  WriteMode.Choice choice, long blockMemory, int blockSize, int maxOpenFiles) {
        settings = new OutputSettings(dir, precision, rotation, retention, postRotate);
        finisher = new FileFinisher(settings);
        try {
            Files.createDirectories(dir);
            mode = WriteMode.probe(dir, choice);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writer = new PcapWriter(0, new StagingRing[] {ring}, sessions::get, finisher, settings, mode,
                blockMemory, blockSize, maxOpenFiles);
    }

    WriterHarness(Path dir, RotationPolicy rotation, Retention retention, Optional<String> postRotate, Precision precision) {
        this(dir, rotation, retention, postRotate, precision, WriteMode.Choice.AUTO, 8 << 20, 256 << 10, 1000);
    }

    WriterHarness(Path dir, RotationPolicy rotation) {
        this(dir, rotation, new Retention(0, 0), Optional.empty(), Precision.NANO);
    }

    WriterHarness start() {
        writer.start();
        return this;
    }

    SessionOutput session(String name, int snaplen) {
        SessionOutput s = new SessionOutput(name, snaplen, settings);
        synchronized (sessions) {
            sessions.add(s);
        }
        return s;
    }

    /** Stages the frames (timestamps {@code ts[i]}), waiting while the ring is full. */
    void write(SessionOutput s, long[] ts, List<byte[]> frames) {
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            write(s, ts[i], f, f.length, f.length);
        }
    }

    void write(SessionOutput s, long ts, byte[] frame, int caplen, int origlen) {
        int id = sessions.indexOf(s);
        while (!ring.offer(id, ts, Unpooled.wrappedBuffer(frame), 0, caplen, origlen)) {
            Thread.onSpinWait();
        }
        ring.advanceWatermark(ts);
        if (ring.backlog() > 0) {
            writer.wakeup().wake();
        }
    }

    void stop() throws InterruptedException {
        ring.close();
        writer.drainAndStop();
        finisher.shutdown();
    }
}
