package io.vxdump.metrics;

import io.vxdump.pcap.SessionOutput;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.NamedSession;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Adds up the per-thread and per-session counters into {@link Totals}. Reads only: the counters
 * stay plain fields on the threads that own them.
 */
public final class Accounting {
    private final List<DatagramProcessor> processors;
    private final SessionTable sessions;

    public Accounting(List<DatagramProcessor> processors, SessionTable sessions) {
        this.processors = List.copyOf(processors);
        this.sessions = sessions;
    }

    public Totals totals() {
        long received = 0;
        Map<DropReason, Long> dropped = new EnumMap<>(DropReason.class);
        for (DatagramProcessor p : processors) {
            received += p.received();
            dropped.merge(DropReason.SOURCE_NOT_ALLOWED, p.notAllowed(), Long::sum);
            dropped.merge(DropReason.DECAP_ERROR, p.decapErrors(), Long::sum);
            dropped.merge(DropReason.GENEVE_OAM, p.geneveOam(), Long::sum);
            dropped.merge(DropReason.UNKNOWN_VNI, p.unknownVni(), Long::sum);
            dropped.merge(DropReason.SESSION_LIMIT, p.sessionLimit(), Long::sum);
        }
        // One snapshot: the views, the named sessions and the forgotten ones' counts agree.
        SessionTable.Routes routes = sessions.routes();
        io.vxdump.session.RetiredCounts retired = routes.retired();
        long written = retired.written();
        long filtered = retired.filtered();
        long staged = retired.staged();
        long backlog = retired.backlogDrops();
        long writeErrors = retired.writeErrors();
        // Outputs once per named session (its views share them), lanes once per view.
        for (NamedSession n : routes.named()) {
            SessionOutput out = n.output();
            // Read the writer's counts before the lanes': pending can then never come out negative.
            written += out.packetsWritten();
            writeErrors += out.writeErrors();
        }
        for (Session s : routes.all()) {
            if (s == null) {
                continue; // a forgotten session's id: its counts are in retired
            }
            staged += s.sum(SessionLane::staged);
            filtered += s.sum(SessionLane::filtered);
            backlog += s.sum(SessionLane::backlogDrops);
        }
        dropped.put(DropReason.WRITER_BACKLOG, backlog);
        dropped.put(DropReason.WRITE_ERROR, writeErrors);
        return new Totals(received, written, filtered, dropped, staged - written - writeErrors);
    }
}
