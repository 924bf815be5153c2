package io.vxdump.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vxdump.archive.DiskRetention;
import io.vxdump.archive.StorageLimits;
import io.vxdump.filter.Action;
import io.vxdump.filter.Direction;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.PortRange;
import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.receive.DatagramProcessor;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-session families as the Prometheus client wrote them: names, labels in order, values, both formats. */
class SessionSeriesTest {
    @TempDir
    Path dir;

    @Test
    void textAndOpenMetricsCarryEverySessionRuleAndReason() {
        OutputSettings out = new OutputSettings(dir, Precision.MICRO, new RotationPolicy(0, 0, 0), new Retention(0, 0),
                Optional.empty());
        SessionFilter filter = new SessionFilter(Monitored.OUTER_SOURCE, List.of(
                new FilterRule(100, Direction.INBOUND, Action.REJECT, 6, null, null, null, new PortRange(443, 443), "")),
                Action.ACCEPT);
        Session web = new Session(7, "web", 0, filter, new SessionOutput("web", 0, out), 1);
        Session db = new Session(8, "db", 0, SessionFilter.KEEP_ALL, new SessionOutput("db", 0, out), 1);
        SessionTable table = new SessionTable(List.of(web, db), null, 0);
        web.lane(0).decided(0);
        web.lane(0).decided(1);
        web.lane(0).decided(1);
        for (int i = 0; i < 12; i++) {
            web.lane(0).backlogDrop();
        }
        DatagramProcessor p = new DatagramProcessor(0, table, new StagingRing[] {new StagingRing(1 << 16)},
                new WriterWakeup[] {new WriterWakeup()});
        SessionSeries series = new SessionSeries(table, List.of(p),
                new DiskRetention(dir, s -> s, new StorageLimits(0, 0, 0)));

        String text = write(series, false);
        assertTrue(text.contains("# HELP vxdump_datagrams_dropped_total datagrams dropped, by reason (and session where one is known)\n"
                + "# TYPE vxdump_datagrams_dropped_total counter\n"), text);
        assertTrue(text.contains("vxdump_datagrams_dropped_total{reason=\"writer_backlog\",session=\"web\"} 12.0\n"), text);
        assertTrue(text.contains("vxdump_datagrams_dropped_total{reason=\"decap_error\",session=\"\"} 0.0\n"), text);
        assertTrue(text.contains("vxdump_files_deleted_total{reason=\"min_free\",session=\"\"} 0.0\n"), text);
        assertTrue(text.contains("vxdump_packets_written_total{session=\"db\"} 0.0\n"), text);
        assertTrue(text.contains("vxdump_filter_rule_matches_total{direction=\"inbound\",rule=\"100\",session=\"web\"} 1.0\n"), text);
        assertTrue(text.contains("vxdump_filter_rule_matches_total{direction=\"any\",rule=\"default\",session=\"web\"} 2.0\n"), text);
        assertTrue(text.contains("vxdump_filter_rule_matches_total{direction=\"any\",rule=\"default\",session=\"db\"} 0.0\n"), text);
        assertTrue(!text.contains("(expired)"), "no forgotten session yet: " + text);
        assertEquals(9, text.lines().filter(l -> l.startsWith("# TYPE ")).count(), text);
        assertTrue(text.contains("# TYPE vxdump_live_dropped_total counter\n# HELP")
                || text.contains("# HELP vxdump_live_dropped_total"), text);
        assertTrue(!text.contains("vxdump_live_dropped_total{"), "no series before a watcher lost a record: " + text);

        String open = write(series, true);
        assertTrue(open.contains("# TYPE vxdump_packets_written counter\n# HELP vxdump_packets_written packets written to files\n"
                + "vxdump_packets_written_total{session=\"web\"} 0.0\n"), open);
        assertEquals(text.lines().filter(l -> !l.startsWith("#")).toList(),
                open.lines().filter(l -> !l.startsWith("#")).toList(), "the same samples in both formats");
    }

    private static String write(SessionSeries series, boolean openMetrics) {
        ByteBuf b = Unpooled.buffer();
        try {
            series.write(b, openMetrics);
            return b.toString(StandardCharsets.UTF_8);
        } finally {
            b.release();
        }
    }
}
