package io.vxdump.fetch;

import java.nio.file.Path;

/**
 * A finished capture file as its name and place describe it: the session (its directory), the
 * series it belongs to (one session of one instance: the name's prefix, in one directory), the UTC
 * second of its first packet, its sequence number, and whether it is gzipped.
 *
 * @param path        where it is
 * @param session     the session: the directory it is in
 * @param series      directory and prefix ({@code <session>-<instance>}): files of one series follow each other in time
 * @param startSecond the second of its first packet, from the name
 * @param seq         its sequence number in the series
 * @param gzip        {@code .pcap.gz}
 */
public record ArchivedFile(Path path, String session, String series, long startSecond, long seq, boolean gzip) {
}
