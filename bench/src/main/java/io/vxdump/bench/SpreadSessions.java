package io.vxdump.bench;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.OutputSettings;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.Retention;
import io.vxdump.pcap.RotationPolicy;
import io.vxdump.pcap.SessionOutput;
import io.vxdump.session.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A large deployment's sessions for the benchmarks: {@code n} of them, their VNIs spread over 24 bits. */
public final class SpreadSessions {
    private SpreadSessions() {
    }

    /** Session {@code i} has VNI {@code i × 16411 mod 2^24}, keeps every packet, writes nowhere. */
    public static List<Session> of(int n, Precision precision) {
        OutputSettings out = new OutputSettings(Path.of("unused"), precision, new RotationPolicy(0, 0, 0),
                new Retention(0, 0), Optional.empty());
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int vni = (i * 16411) & 0xFFFFFF;
            sessions.add(new Session(vni, "s" + i, 0, SessionFilter.KEEP_ALL, new SessionOutput("s" + i, 0, out), 1));
        }
        return sessions;
    }
}
