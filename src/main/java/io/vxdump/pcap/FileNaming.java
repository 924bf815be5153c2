package io.vxdump.pcap;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * File names: {@code <session>-<UTC yyyyMMdd'T'HHmmss'Z'>-<seq>.pcap}, with {@code .part} behind
 * while the file is written. The timestamp is the first packet's; the sequence number grows per
 * session and continues after a restart, so names never repeat and sort in the order written.
 */
public final class FileNaming {
    public static final String PCAP = ".pcap";
    public static final String PART = ".part";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private FileNaming() {
    }

    /** The finished name of a file. */
    public static String fileName(String session, long timestampNanos, long seq) {
        Instant at = Instant.ofEpochSecond(Math.floorDiv(timestampNanos, 1_000_000_000L));
        return session + "-" + STAMP.format(at) + "-" + String.format("%06d", seq) + PCAP;
    }

    /** Pattern of this session's files, finished, in progress or post-processed (.pcap.gz ...). */
    static Pattern filePattern(String session) {
        return Pattern.compile(Pattern.quote(session) + "-\\d{8}T\\d{6}Z-(\\d+)\\.pcap(\\..+)?");
    }

    /** True for a finished file of the session (anything but {@code .part}). */
    static boolean isFinished(String session, String name) {
        return filePattern(session).matcher(name).matches() && !name.endsWith(PART);
    }

    /** The sequence number the session's next file gets: one more than any already on disk. */
    static long nextSequence(Path directory, String session) throws IOException {
        long max = 0;
        if (!Files.isDirectory(directory)) {
            return 1;
        }
        Pattern p = filePattern(session);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        }
        return max + 1;
    }
}
