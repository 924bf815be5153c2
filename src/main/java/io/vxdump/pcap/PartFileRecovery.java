package io.vxdump.pcap;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes {@code .part} files a crash left behind: each is cut at its last whole record and
 * handed to the {@link FileFinisher} (fsync, rename, post-rotate, retention) like any other file.
 * A file with no whole record holds no evidence and is deleted; one that is not our pcap at all is
 * left alone with a warning. Only this instance's files are touched (their names carry its id):
 * another instance writing to the same directory keeps its open files.
 */
public final class PartFileRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(PartFileRecovery.class);

    private PartFileRecovery() {
    }

    /** Recovers this instance's leftovers under the output directory; returns how many files were handed on. */
    public static int recover(OutputSettings settings, FileFinisher finisher) throws IOException {
        Path output = settings.directory();
        if (!Files.isDirectory(output)) {
            return 0;
        }
        int recovered = 0;
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(output, Files::isDirectory)) {
            for (Path dir : sessions) {
                if (dir.getFileName().toString().startsWith(".vxdump-")) {
                    continue; // warm-up scratch, upload markers: never evidence
                }
                try (DirectoryStream<Path> parts = Files.newDirectoryStream(dir, "*" + FileNaming.PCAP + FileNaming.PART)) {
                    java.util.regex.Pattern ours = FileNaming.filePattern(settings.filePrefix(dir.getFileName().toString()));
                    for (Path part : parts) {
                        if (!ours.matcher(part.getFileName().toString()).matches()) {
                            continue; // another instance's file, or not one of ours at all
                        }
                        if (recoverOne(part, dir.getFileName().toString(), finisher)) {
                            recovered++;
                        }
                    }
                }
            }
        }
        return recovered;
    }

    private static boolean recoverOne(Path part, String session, FileFinisher finisher) throws IOException {
        long fileSize = Files.size(part);
        long end = wholeRecordsEnd(part);
        if (end < 0) {
            LOG.warn("leftover {} is not a pcap file vxdump wrote; left as it is", part);
            return false;
        }
        if (end == PcapFormat.FILE_HEADER_LENGTH || end == 0) {
            Files.delete(part);
            LOG.info("deleted leftover {}: no whole record", part);
            return false;
        }
        if (end < fileSize) {
            try (FileChannel c = FileChannel.open(part, StandardOpenOption.WRITE)) {
                c.truncate(end);
            }
        }
        String name = part.getFileName().toString();
        Path target = part.resolveSibling(name.substring(0, name.length() - FileNaming.PART.length()));
        LOG.info("finishing leftover {}: kept {} of {} bytes", part, end, fileSize);
        finisher.finishRecovered(part, target, session);
        return true;
    }

    /**
     * Offset just past the last whole record, 0 for a file shorter than a header, or -1 when the
     * header is not a little-endian Ethernet pcap header.
     */
    static long wholeRecordsEnd(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteBuffer header = ByteBuffer.wrap(new byte[PcapFormat.FILE_HEADER_LENGTH]).order(ByteOrder.LITTLE_ENDIAN);
            if (in.readNBytes(header.array(), 0, PcapFormat.FILE_HEADER_LENGTH) < PcapFormat.FILE_HEADER_LENGTH) {
                return 0;
            }
            if (Precision.ofMagic(header.getInt(0)) == null || header.getInt(20) != PcapFormat.LINKTYPE_ETHERNET) {
                return -1;
            }
            long snaplen = Integer.toUnsignedLong(header.getInt(16));
            long end = PcapFormat.FILE_HEADER_LENGTH;
            ByteBuffer record = ByteBuffer.wrap(new byte[PcapFormat.RECORD_HEADER_LENGTH]).order(ByteOrder.LITTLE_ENDIAN);
            while (in.readNBytes(record.array(), 0, PcapFormat.RECORD_HEADER_LENGTH) == PcapFormat.RECORD_HEADER_LENGTH) {
                long caplen = Integer.toUnsignedLong(record.getInt(8));
                long origlen = Integer.toUnsignedLong(record.getInt(12));
                // caplen 0 is the zero padding of a direct-I/O block: vxdump never writes an empty record.
                if (caplen == 0 || caplen > snaplen || caplen > origlen || skip(in, caplen) < caplen) {
                    break;
                }
                end += PcapFormat.RECORD_HEADER_LENGTH + caplen;
            }
            return end;
        }
    }

    private static long skip(InputStream in, long n) throws IOException {
        long done = 0;
        while (done < n) {
            long step = in.skip(n - done);
            if (step <= 0) {
                if (in.read() < 0) {
                    break;
                }
                step = 1;
            }
            done += step;
        }
        return done;
    }
}
