package io.vxdump.metrics;

import io.netty.buffer.ByteBuf;
import io.vxdump.archive.DiskRetention;
import io.vxdump.filter.FilterRule;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.NamedSession;
import io.vxdump.session.RetiredCounts;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The counter families that carry a {@code session} label, written straight into the response as
 * exposition text at scrape time, from the sessions the table holds at that moment: a session's
 * series are there from its first packet, and nothing is registered or removed.
 *
 * <p>Why not Micrometer meters: at 10,000 sessions (~90,000 series) a Micrometer scrape took
 * 220–380 ms warm and 600–800 ms cold, most of it in the Prometheus client's per-series label
 * validation and sorting, metadata lookups and character encoding (JFR, bench/README.md); this
 * writer appends ASCII lines to one buffer. The text is what the Prometheus client wrote for the
 * same families (names, HELP, labels in name order, values such as {@code 12.0}), in both the
 * Prometheus text format and OpenMetrics. Scrape thread only.
 */
final class SessionSeries {
    /** The families, in the order they are written. */
    private static final String DROPPED = "vxdump_datagrams_dropped";
    private static final String DELETED = "vxdump_files_deleted";

    private final SessionTable sessions;
    private final List<DatagramProcessor> processors;
    private final DiskRetention retention;
    /** Files deleted to keep the floor before they were uploaded; null without uploads. */
    private volatile LongSupplier deletedBeforeUpload;
    /** Forgotten sessions' counts are shown from the first forgetting on, as a series that never goes. */
    private boolean expiredShown;
    private final byte[] digits = new byte[20];
    /** One session's rules and their counts, in first-seen order; reused across sessions. */
    private final java.util.Map<RuleKey, long[]> rules = new java.util.LinkedHashMap<>();

    SessionSeries(SessionTable sessions, List<DatagramProcessor> processors, DiskRetention retention) {
        this.sessions = sessions;
        this.processors = List.copyOf(processors);
        this.retention = retention;
    }

    void uploads(LongSupplier deletedBeforeUpload) {
        this.deletedBeforeUpload = deletedBeforeUpload;
    }

    /** Appends the families to {@code out}. */
    void write(ByteBuf out, boolean openMetrics) {
        SessionTable.Routes routes = sessions.routes();
        NamedSession[] named = routes.named();
        RetiredCounts retired = routes.retired();
        expiredShown |= retired.sessions() > 0;
        // ~10 lines of ~70 bytes per session: one allocation instead of a dozen doublings.
        out.ensureWritable(4096 + named.length * 768);

        header(out, openMetrics, DROPPED, "datagrams dropped, by reason (and session where one is known)");
        global(out, DROPPED, DropReason.SOURCE_NOT_ALLOWED, DatagramProcessor::notAllowed);
        global(out, DROPPED, DropReason.DECAP_ERROR, DatagramProcessor::decapErrors);
        global(out, DROPPED, DropReason.GENEVE_OAM, DatagramProcessor::geneveOam);
        global(out, DROPPED, DropReason.UNKNOWN_VNI, DatagramProcessor::unknownVni);
        global(out, DROPPED, DropReason.SESSION_LIMIT, DatagramProcessor::sessionLimit);
        for (NamedSession s : named) {
            reasonLine(out, DROPPED, DropReason.WRITER_BACKLOG.label(), s.name(), s.sum(SessionLane::backlogDrops));
            reasonLine(out, DROPPED, DropReason.WRITE_ERROR.label(), s.name(), s.output().writeErrors());
        }
        if (expiredShown) {
            reasonLine(out, DROPPED, DropReason.WRITER_BACKLOG.label(), VxdumpMeters.EXPIRED, retired.backlogDrops());
            reasonLine(out, DROPPED, DropReason.WRITE_ERROR.label(), VxdumpMeters.EXPIRED, retired.writeErrors());
        }

        header(out, openMetrics, DELETED, "finished files deleted by retention, by the limit that made room");
        reasonLine(out, DELETED, "min_free", VxdumpMeters.NO_SESSION, retention.deletedForFloor());
        reasonLine(out, DELETED, "max_bytes_total", VxdumpMeters.NO_SESSION, retention.deletedForTotal());
        LongSupplier beforeUpload = deletedBeforeUpload;
        if (beforeUpload != null) {
            reasonLine(out, DELETED, "min_free_before_upload", VxdumpMeters.NO_SESSION, beforeUpload.getAsLong());
        }
        for (NamedSession s : named) {
            reasonLine(out, DELETED, "session_limit", s.name(), s.output().filesDeleted());
        }
        if (expiredShown) {
            reasonLine(out, DELETED, "session_limit", VxdumpMeters.EXPIRED, retired.filesDeleted());
        }

        perSession(out, openMetrics, named, "vxdump_packets_written", "packets written to files",
                s -> s.output().packetsWritten(), retired.written());
        perSession(out, openMetrics, named, "vxdump_bytes_written", "bytes written to files, headers included",
                s -> s.output().bytesWritten(), retired.bytesWritten());
        perSession(out, openMetrics, named, "vxdump_packets_filtered", "packets the session's filter did not keep",
                s -> s.sum(SessionLane::filtered), retired.filtered());
        perSession(out, openMetrics, named, "vxdump_packets_truncated",
                "packets written with caplen < origlen (mirror packet length or snaplen)",
                s -> s.sum(SessionLane::truncated), retired.truncated());
        perSession(out, openMetrics, named, "vxdump_files_finished", "files finished and renamed to .pcap",
                s -> s.output().filesFinished(), retired.filesFinished());

        // Only sessions a watcher lost records of: live watching is occasional, and 10,000 zero series
        // for it would double no one's insight but every scrape's size.
        header(out, openMetrics, "vxdump_live_dropped", "records a live watcher (vxdump tail) did not get: it was behind");
        for (NamedSession s : named) {
            long lost = s.output().liveDroppedCount();
            if (lost > 0) {
                sessionLine(out, "vxdump_live_dropped", s.name(), lost);
            }
        }

        header(out, openMetrics, "vxdump_filter_rule_matches", "packets whose filter decision this rule (or the default) made");
        for (NamedSession s : named) {
            ruleLines(out, s);
        }
    }

    private void perSession(ByteBuf out, boolean openMetrics, NamedSession[] named, String family, String help,
                            ToLongFunction<NamedSession> count, long expired) {
        header(out, openMetrics, family, help);
        for (NamedSession s : named) {
            sessionLine(out, family, s.name(), count.applyAsLong(s));
        }
        if (expiredShown) {
            sessionLine(out, family, VxdumpMeters.EXPIRED, expired);
        }
    }

    /**
     * One series per rule (number and direction) any configuration of the session has had, and one
     * for its default action: a reload that keeps a rule keeps counting in the same series.
     */
    private void ruleLines(ByteBuf out, NamedSession s) {
        rules.clear();
        for (Session v : s.views()) {
            List<FilterRule> list = v.filter().rules();
            for (int i = 0; i <= list.size(); i++) {
                RuleKey key = i < list.size()
                        ? new RuleKey(String.valueOf(list.get(i).number()), list.get(i).direction().label())
                        : RuleKey.DEFAULT;
                int decision = i;
                rules.computeIfAbsent(key, k -> new long[1])[0] += v.sum(l -> l.decisions(decision));
            }
        }
        for (var r : rules.entrySet()) {
            ascii(out, "vxdump_filter_rule_matches_total{direction=\"");
            label(out, r.getKey().direction());
            ascii(out, "\",rule=\"");
            label(out, r.getKey().rule());
            ascii(out, "\",session=\"");
            label(out, s.name());
            ascii(out, "\"} ");
            value(out, r.getValue()[0]);
        }
    }

    /** A rule as its series names it: AWS numbers rules uniquely per direction. */
    private record RuleKey(String rule, String direction) {
        static final RuleKey DEFAULT = new RuleKey("default", "any");
    }

    private void global(ByteBuf out, String family, DropReason reason, ToLongFunction<DatagramProcessor> count) {
        long total = 0;
        for (DatagramProcessor p : processors) {
            total += count.applyAsLong(p);
        }
        reasonLine(out, family, reason.label(), VxdumpMeters.NO_SESSION, total);
    }

    /** {@code # HELP} and {@code # TYPE} of a counter family, as each format wants them. */
    private static void header(ByteBuf out, boolean openMetrics, String family, String help) {
        if (openMetrics) {
            ascii(out, "# TYPE " + family + " counter\n# HELP " + family + " " + help + "\n");
        } else {
            ascii(out, "# HELP " + family + "_total " + help + "\n# TYPE " + family + "_total counter\n");
        }
    }

    private void sessionLine(ByteBuf out, String family, String session, long v) {
        ascii(out, family);
        ascii(out, "_total{session=\"");
        label(out, session);
        ascii(out, "\"} ");
        value(out, v);
    }

    private void reasonLine(ByteBuf out, String family, String reason, String session, long v) {
        ascii(out, family);
        ascii(out, "_total{reason=\"");
        ascii(out, reason);
        ascii(out, "\",session=\"");
        label(out, session);
        ascii(out, "\"} ");
        value(out, v);
    }

    private static void ascii(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.US_ASCII);
    }

    /** A label value, escaped as both formats want (session names are plain ASCII; this is the guard). */
    private static void label(ByteBuf out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' || c == '"' || c == '\n' || c > 126) {
                escaped(out, v);
                return;
            }
        }
        ascii(out, v);
    }

    private static void escaped(ByteBuf out, String v) {
        String e = v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        out.writeCharSequence(e, StandardCharsets.UTF_8);
    }

    /** A count as the Prometheus client writes a counter's double ({@code 12.0}), and the line's end. */
    private void value(ByteBuf out, long v) {
        if (v < 0) {
            ascii(out, String.valueOf(v));
        } else {
            int n = digits.length;
            do {
                digits[--n] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v != 0);
            out.writeBytes(digits, n, digits.length - n);
        }
        out.writeByte('.');
        out.writeByte('0');
        out.writeByte('\n');
    }
}
