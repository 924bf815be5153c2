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
 * File names: {@code <prefix>-<UTC yyyyMMdd'T'HHmmss'Z'>-<seq>.pcap}, where the prefix is
 * {@code <session>-<instance id>} (see {@link OutputSettings#filePrefix}), with {@code .part} behind
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
    public static String fileName(String prefix, long timestampNanos, long seq) {
        Instant at = Instant.ofEpochSecond(Math.floorDiv(timestampNanos, 1_000_000_000L));
        return prefix + "-" + STAMP.format(at) + "-" + String.format("%06d", seq) + PCAP;
    }

    /** Pattern of this prefix's files, finished, in progress or post-processed (.pcap.gz ...). */
    static Pattern filePattern(String prefix) {
        return Pattern.compile(Pattern.quote(prefix) + "-(\\d{8}T\\d{6}Z)-(\\d+)\\.pcap(\\..+)?");
    }

    /**
     * What a finished file's name says: the UTC second of its first packet ({@code yyyyMMddTHHmmssZ},
     * so it sorts in time order across sessions) and its sequence number in the session.
     */
    public record Finished(String stamp, long seq) {
    }

    /** Seconds since the epoch of a {@link Finished#stamp()} ({@code yyyyMMddTHHmmssZ}, UTC). */
    public static long stampSeconds(String stamp) {
        return java.time.LocalDateTime.parse(stamp, STAMP_PARSER).toEpochSecond(ZoneOffset.UTC);
    }

    private static final DateTimeFormatter STAMP_PARSER = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    /** The stamp and sequence number of a finished file of the prefix, or null for any other name. */
    public static Finished parseFinished(String prefix, String name) {
        if (name.endsWith(PART)) {
            return null;
        }
        Matcher m = filePattern(prefix).matcher(name);
        return m.matches() ? new Finished(m.group(1), Long.parseLong(m.group(2))) : null;
    }

    /** True for a finished file of the prefix (anything but {@code .part}). */
    static boolean isFinished(String prefix, String name) {
        return filePattern(prefix).matcher(name).matches() && !name.endsWith(PART);
    }

    /** The sequence number the session's next file gets: one more than any already on disk. */
    static long nextSequence(Path directory, String prefix) throws IOException {
        long max = 0;
        if (!Files.isDirectory(directory)) {
            return 1;
        }
        Pattern p = filePattern(prefix);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path f : files) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(2)));
                }
            }
        }
        return max + 1;
    }
}
