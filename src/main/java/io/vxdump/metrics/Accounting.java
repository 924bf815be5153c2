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
        long written = 0;
        long filtered = 0;
        long staged = 0;
        long backlog = 0;
        long writeErrors = 0;
        // Outputs once per named session (its views share them), lanes once per view.
        for (NamedSession n : sessions.named()) {
            SessionOutput out = n.output();
            // Read the writer's counts before the lanes': pending can then never come out negative.
            written += out.packetsWritten();
            writeErrors += out.writeErrors();
        }
        for (Session s : sessions.all()) {
            staged += s.sum(SessionLane::staged);
            filtered += s.sum(SessionLane::filtered);
            backlog += s.sum(SessionLane::backlogDrops);
        }
        dropped.put(DropReason.WRITER_BACKLOG, backlog);
        dropped.put(DropReason.WRITE_ERROR, writeErrors);
        return new Totals(received, written, filtered, dropped, staged - written - writeErrors);
    }
}
