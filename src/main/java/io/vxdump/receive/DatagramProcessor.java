package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.vxdump.filter.SessionFilter;
import io.vxdump.filter.SourceAllowList;
import io.vxdump.metrics.LongCounter;
import io.vxdump.packet.InnerFrame;
import io.vxdump.packet.Vxlan;
import io.vxdump.pcap.Precision;
import io.vxdump.pcap.StagingPool;
import io.vxdump.pcap.WallClock;
import io.vxdump.pcap.WriteQueue;
import io.vxdump.session.Session;
import io.vxdump.session.SessionLane;
import io.vxdump.session.SessionTable;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The packet path of one receive thread, free of Netty's channel types so that benchmarks and
 * tests drive it directly: decap → parse → session → filter → stage. Every datagram ends in
 * exactly one count. No allocation, no lock, no log line per datagram.
 */
public final class DatagramProcessor {
    private final int lane;
    private final SessionTable sessions;
    private final StagingPool pool;
    private final WriteQueue queue;
    private final Precision precision;
    private final SourceAllowList allowSources;
    private final InnerFrame frame = new InnerFrame();
    private final WallClock clock = new WallClock();

    private final LongCounter received = new LongCounter();
    private final LongCounter notAllowed = new LongCounter();
    private final LongCounter decapErrors = new LongCounter();
    private final LongCounter unknownVni = new LongCounter();
    private final LongCounter sessionLimit = new LongCounter();

    /**
     * @param lane the receive thread's index: which {@link SessionLane} of each session it fills
     * @param allowSources the senders allowed, or null for any
     */
    public DatagramProcessor(int lane, SessionTable sessions, StagingPool pool, WriteQueue queue, Precision precision,
                             SourceAllowList allowSources) {
        this.lane = lane;
        this.sessions = sessions;
        this.pool = pool;
        this.queue = queue;
        this.precision = precision;
        this.allowSources = allowSources;
    }

    /**
     * Handles one UDP payload of {@code length} bytes at {@code index} from {@code sender}; does not
     * keep {@code buf}.
     */
    public void process(ByteBuf buf, int index, int length, InetAddress sender) {
        received.increment();
        if (allowSources != null && !allowSources.allows(sender)) {
            notAllowed.increment();
            return;
        }
        int vni = Vxlan.vni(buf, index, length);
        if (vni == Vxlan.DECAP_ERROR) {
            decapErrors.increment();
            return;
        }
        Session session = sessions.get(vni);
        if (session == null) {
            session = sessions.forUnknown(vni);
            if (session == null) {
                (sessions.capturesUnknown() ? sessionLimit : unknownVni).increment();
                return;
            }
        }
        int frameIndex = index + Vxlan.HEADER_LENGTH;
        int frameLength = length - Vxlan.HEADER_LENGTH;
        frame.wrap(buf, frameIndex, frameLength);
        SessionLane sessionLane = session.lane(lane);
        SessionFilter filter = session.filter();
        // Inet4Address.hashCode() is its address: the outer source without a byte[] copy.
        boolean outerIsIpv4 = sender instanceof Inet4Address;
        int decision = filter.decide(frame, outerIsIpv4 ? sender.hashCode() : 0, outerIsIpv4);
        sessionLane.decided(decision);
        if (!filter.keeps(decision)) {
            sessionLane.filteredOut();
            return;
        }
        int snaplen = session.snaplen();
        int caplen = snaplen > 0 && snaplen < frameLength ? snaplen : frameLength;
        sessionLane.stage(clock.nowNanos(), precision, buf, frameIndex, caplen, frame.originalLength(), pool, queue);
    }

    /**
     * Hands every partly filled staging buffer of this thread to the writer and re-reads the wall
     * clock. Runs on the receive thread: from the flush timer, and once more at shutdown.
     */
    public void flush() {
        clock.calibrate();
        for (Session s : sessions.all()) {
            s.lane(lane).flush(queue);
        }
    }

    public long received() {
        return received.get();
    }

    public long notAllowed() {
        return notAllowed.get();
    }

    public long decapErrors() {
        return decapErrors.get();
    }

    public long unknownVni() {
        return unknownVni.get();
    }

    public long sessionLimit() {
        return sessionLimit.get();
    }
}
