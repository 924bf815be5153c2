package io.vxdump.archive;

import io.vxdump.pcap.FileNaming;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * This instance's finished files under the output directory, oldest first across sessions, with
 * their total size. Filled by a scan at start and kept current by the finisher, which reports each
 * session directory again after a file is finished there; so a directory is listed once per finished
 * file, never all of them on a timer. Thread-safe: the finisher reports, the retention thread deletes.
 */
public final class ArchiveIndex {
    /** A finished file: its name's stamp (first packet, UTC second), its session and sequence number. */
    public record Entry(String stamp, String session, long seq, Path path, long size) {
    }

    /** Oldest first: by first-packet second, then session, then sequence number. */
    private static final Comparator<Entry> AGE = Comparator.comparing(Entry::stamp).thenComparing(Entry::session)
            .thenComparingLong(Entry::seq);

    private final TreeSet<Entry> all = new TreeSet<>(AGE);
    private final Map<String, TreeSet<Entry>> bySession = new HashMap<>();
    private long bytes;
    /** Null without uploads; else which files are in the store. */
    private final UploadLedger ledger;
    /** Files not yet uploaded (and not being uploaded), oldest first; their bytes. */
    private final TreeSet<Entry> backlog = new TreeSet<>(AGE);
    private final Map<Path, Entry> uploading = new HashMap<>();
    /** Bytes of the backlog, those being uploaded included. */
    private long backlogBytes;

    ArchiveIndex() {
        this(null);
    }

    ArchiveIndex(UploadLedger ledger) {
        this.ledger = ledger;
    }

    /** Replaces what is known of one session's finished files. */
    synchronized void replace(String session, List<Entry> files) {
        TreeSet<Entry> old = bySession.remove(session);
        if (old != null) {
            for (Entry e : old) {
                all.remove(e);
                bytes -= e.size();
                if (backlog.remove(e)) {
                    backlogBytes -= e.size();
                }
            }
        }
        if (files.isEmpty()) {
            return;
        }
        TreeSet<Entry> mine = new TreeSet<>(Comparator.comparingLong(Entry::seq));
        for (Entry e : files) {
            if (mine.add(e)) {
                all.add(e);
                bytes += e.size();
                if (ledger != null && !uploading.containsKey(e.path()) && !ledger.uploaded(e.path())) {
                    backlog.add(e);
                    backlogBytes += e.size();
                }
            }
        }
        bySession.put(session, mine);
    }

    /**
     * The oldest file that may go: never the newest file of its session (the evidence just written
     * stays, whatever the limits say), never one being uploaded, and with {@code uploadedOnly} only
     * one already in the store. Null when none may.
     */
    synchronized Entry oldestDeletable(boolean uploadedOnly) {
        for (Entry e : all) {
            if (bySession.get(e.session()).last() != e && !uploading.containsKey(e.path())
                    && !(uploadedOnly && backlog.contains(e))) {
                return e;
            }
        }
        return null;
    }

    /** The oldest file waiting to be uploaded, now taken out of the backlog; null when none waits. */
    public synchronized Entry takeForUpload() {
        Entry e = backlog.pollFirst();
        if (e != null) {
            uploading.put(e.path(), e);
        }
        return e;
    }

    /** An upload ended: in the store, or (failed) back into the backlog if the file is still known. */
    public synchronized void uploadEnded(Entry e, boolean stored) {
        uploading.remove(e.path());
        TreeSet<Entry> mine = bySession.get(e.session());
        if (stored || mine == null || !mine.contains(e) || !backlog.add(e)) {
            backlogBytes -= e.size(); // in the store, or gone: no longer waiting
        }
    }

    public synchronized int backlogFiles() {
        return backlog.size() + uploading.size();
    }

    public synchronized long backlogBytes() {
        return backlogBytes;
    }

    /**
     * Seconds since the first packet of the oldest file not yet uploaded (being uploaded
     * included); 0 when none waits.
     */
    public synchronized double oldestBacklogAgeSeconds() {
        String oldest = backlog.isEmpty() ? null : backlog.first().stamp();
        for (Entry e : uploading.values()) {
            if (oldest == null || e.stamp().compareTo(oldest) < 0) {
                oldest = e.stamp();
            }
        }
        return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() / 1000.0 - FileNaming.stampSeconds(oldest));
    }

    /** Forgets a file (deleted, or found gone). */
    public synchronized void remove(Entry e) {
        TreeSet<Entry> mine = bySession.get(e.session());
        if (mine != null && mine.remove(e)) {
            all.remove(e);
            bytes -= e.size();
            if (backlog.remove(e)) {
                backlogBytes -= e.size();
            }
            if (mine.isEmpty()) {
                bySession.remove(e.session());
            }
        }
    }

    /** The stamp of the oldest file kept, or null when none is. */
    synchronized String oldestStamp() {
        return all.isEmpty() ? null : all.first().stamp();
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized int files() {
        return all.size();
    }

    /** The finished files of {@code prefix} in a session's directory, as they are now. */
    static List<Entry> list(Path sessionDirectory, String prefix) {
        List<Entry> out = new ArrayList<>();
        String session = sessionDirectory.getFileName().toString();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(sessionDirectory)) {
            for (Path f : files) {
                FileNaming.Finished name = FileNaming.parseFinished(prefix, f.getFileName().toString());
                if (name == null) {
                    continue;
                }
                try {
                    out.add(new Entry(name.stamp(), session, name.seq(), f, Files.size(f)));
                } catch (IOException e) {
                    // deleted meanwhile
                }
            }
        } catch (IOException e) {
            // the directory is gone, or unreadable: nothing of it to keep track of
        }
        return out;
    }
}
