package io.vxdump.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/** One place fetch reads an archive from: local directories, or an S3 prefix. */
public interface ArchiveSource extends AutoCloseable {
    /**
     * The files {@code window} can touch, chosen by name only.
     *
     * @param sessions session names to take; empty: all
     */
    Selection select(Set<String> sessions, TimeWindow window, long lookbackSeconds) throws IOException;

    /** The order the merge will want this source's files in, so that a store can fetch ahead. */
    default void prepare(List<ArchivedFile> order) {
    }

    /** The bytes of one of its files. */
    InputStream open(ArchivedFile f) throws IOException;

    /** What it fetched from elsewhere, for the summary (empty for local files). */
    default String transferred() {
        return "";
    }

    @Override
    default void close() throws IOException {
    }
}
