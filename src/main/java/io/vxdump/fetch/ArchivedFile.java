package io.vxdump.fetch;

import java.io.IOException;
import java.io.InputStream;

/**
 * A finished capture file as its name and place describe it: the session (its directory), the
 * series it belongs to (one session of one instance: files of a series follow each other in
 * time), the UTC second of its first packet, its sequence number, and whether it is gzipped.
 *
 * @param location    where it is: a path, or {@code s3://bucket/key}
 * @param session     the session: the directory it is in
 * @param series      the source, session and name prefix ({@code <session>-<instance>})
 * @param startSecond the second of its first packet, from the name
 * @param seq         its sequence number in the series
 * @param gzip        {@code .pcap.gz}
 * @param size        its size in bytes, as listed
 * @param source      the archive that reads it
 */
public record ArchivedFile(String location, String session, String series, long startSecond, long seq, boolean gzip,
                           long size, ArchiveSource source) {
    /** Its bytes as stored (gzipped for a {@code .pcap.gz}). */
    InputStream open() throws IOException {
        return source.open(this);
    }

    /** The file name: the last part of the location. */
    public String name() {
        return location.substring(location.lastIndexOf('/') + 1);
    }
}
