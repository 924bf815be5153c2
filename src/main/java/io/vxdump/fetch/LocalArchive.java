package io.vxdump.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The files of a local directory: an output directory ({@code <session>/<files>}), a copy of
 * several instances' output directories, or any tree holding session directories (at most 8
 * levels deep). Only names are read to choose; see {@link Selection#choose}.
 */
public final class LocalArchive implements ArchiveSource {
    private final Path root;

    public LocalArchive(Path root) {
        this.root = root;
    }

    @Override
    public Selection select(Set<String> sessions, TimeWindow window, long lookbackSeconds) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + ": not a directory");
        }
        Map<String, List<ArchivedFile>> series = new LinkedHashMap<>();
        List<String> unreadable = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root, 8)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                String name = p.getFileName().toString();
                Path parent = p.getParent();
                String session = parent == null ? "" : parent.getFileName().toString();
                if (!sessions.isEmpty() && !sessions.contains(session)) {
                    return;
                }
                ArchiveNames.Parsed n = ArchiveNames.parse(name, session);
                if (n != null) {
                    String key = parent + "/" + n.prefix();
                    series.computeIfAbsent(key, k -> new ArrayList<>()).add(new ArchivedFile(p.toString(), session, key,
                            n.startSecond(), n.seq(), n.gzip(), size(p), this));
                } else if (ArchiveNames.unreadableKind(name)) {
                    unreadable.add(p.toString());
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return Selection.choose(series, unreadable, window, lookbackSeconds);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    @Override
    public InputStream open(ArchivedFile f) throws IOException {
        return new java.io.FileInputStream(f.location()); // reads straight into the reader's buffer
    }
}
