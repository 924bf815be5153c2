package io.vxdump.bench;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.session.Session;
import io.vxdump.session.SessionTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A session made for an unknown VNI on the receive thread ({@link SessionTable#forUnknown}), with
 * {@code existing} sessions already in the table: one shot is 1,000 new VNIs, the table made afresh
 * (with its {@code existing} sessions) before each shot, outside the timing. The cost must not
 * grow with {@code existing}: a burst of new VNIs must not stall the thread. Includes making the
 * session (its output and lanes), as the daemon does. Score: microseconds per 1,000 sessions, so
 * nanoseconds per session. (Not with {@code -prof gc}: its per-operation allocation would count
 * the setup's 10,000 sessions too.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 30)
@Measurement(iterations = 60)
@Fork(1)
public class SessionCreationBenchmark {
    private static final int NEW_PER_INVOCATION = 1000;
    private static final OutputSettings OUT = new OutputSettings(Path.of("unused"), Precision.MICRO,
            new RotationPolicy(0, 0, 0), new Retention(0, 0), Optional.empty());

    @Param({"10", "10000"})
    int existing;

    private SessionTable table;
    private int nextVni;

    private static Session session(int vni) {
        return new Session(vni, "vni-" + vni, 0, SessionFilter.KEEP_ALL, new SessionOutput("vni-" + vni, 0, OUT), 2);
    }

    @Setup(Level.Iteration)
    public void freshTable() {
        table = new SessionTable(List.of(), SessionCreationBenchmark::session, Integer.MAX_VALUE);
        for (int vni = 1; vni <= existing; vni++) {
            table.forUnknown(vni);
        }
        nextVni = existing + 1;
    }

    @Benchmark
    public Session newSessions() {
        Session last = null;
        for (int i = 0; i < NEW_PER_INVOCATION; i++) {
            last = table.forUnknown(nextVni++);
        }
        return last;
    }
}
