package io.vxdump.receive;

import io.netty.buffer.ByteBuf;
import io.vxdump.filter.SessionFilter;
import io.vxdump.metrics.LongCounter;
import io.vxdump.packet.Geneve;
import io.vxdump.packet.InnerFrame;
import io.vxdump.packet.Vxlan;
import io.vxdump.pcap.WallClock;
import io.vxdump.stage.StagingRing;
import io.vxdump.stage.WriterWakeup;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final StagingRing[] rings;
    private final WriterWakeup[] wakeups;
    private final InnerFrame frame = new InnerFrame();
    private final Geneve geneve = new Geneve();
    private final WallClock clock = new WallClock();
    /** The last timestamp given: time never steps back within one thread's stream. */
    private long lastTimestamp;
    /** Reads this thread's sockets empty before a watermark (kernel receive times); null: not needed. */
    private java.util.function.BooleanSupplier readQueued;
    /** Packets left before the clock is read again. */
    private int clockBudget;
    private int ticks;
    private final AtomicBoolean watermarkWanted = new AtomicBoolean();

    private final LongCounter received = new LongCounter();
    private final LongCounter notAllowed = new LongCounter();
    private final LongCounter decapErrors = new LongCounter();
    private final LongCounter unknownVni = new LongCounter();
    private final LongCounter sessionLimit = new LongCounter();
    private final LongCounter geneveOam = new LongCounter();

    /**
     * @param lane the receive thread's index: which {@link SessionLane} of each session it counts in
     * @param rings this thread's staging ring to each writer, by writer index
     * @param wakeups each writer's wakeup, by writer index
     */
    public DatagramProcessor(int lane, SessionTable sessions, StagingRing[] rings, WriterWakeup[] wakeups) {
        this.lane = lane;
        this.sessions = sessions;
        this.rings = rings.clone();
        this.wakeups = wakeups.clone();
    }

    /**
     * Handles one UDP payload of {@code length} bytes at {@code index} from {@code sender}; does not
     * keep {@code buf}. Netty's channel path: the sender arrives as an {@link InetAddress}.
     */
    public void process(ByteBuf buf, int index, int length, InetAddress sender) {
        boolean v4 = sender instanceof Inet4Address;
        // Inet4Address.hashCode() is its address: the outer source without a byte[] copy.
        process(buf, index, length, UNKNOWN_LENGTH, v4, v4 ? sender.hashCode() : 0, v4 ? 0 : high(sender),
                v4 ? 0 : low(sender), NO_KERNEL_TIME);
    }

    /** No kernel receive time: the thread's clock stamps the datagram. */
    public static final long NO_KERNEL_TIME = 0;
    /** The datagram's length on the wire is not known (Netty's channel hides MSG_TRUNC). */
    public static final int UNKNOWN_LENGTH = -1;

    /**
     * Handles one VXLAN payload read by {@link MmsgSocket}: {@code length} bytes at {@code index},
     * of a datagram {@code wireLength} long (longer when the kernel cut it to its slot: MSG_TRUNC;
     * {@link #UNKNOWN_LENGTH} where nobody says),
     * from an IPv4 sender {@code sender4} or an IPv6 one {@code sender6High:sender6Low}, received by
     * the kernel at {@code kernelNanos} (since the epoch; {@link #NO_KERNEL_TIME} where unknown). Does
     * not keep {@code buf}; allocates nothing.
     */
    public void process(ByteBuf buf, int index, int length, int wireLength, boolean senderIsIpv4, int sender4,
                        long sender6High, long sender6Low, long kernelNanos) {
        received.increment();
        // One read of the routes per packet: a reload swaps them whole, so each packet is decided
        // by the old configuration or the new one, never a mix.
        SessionTable.Routes routes = sessions.routes();
        if (senderIsIpv4 ? !routes.allows4(sender4) : !routes.allows6(sender6High, sender6Low)) {
            notAllowed.increment();
            return;
        }
        int vni = Vxlan.vni(buf, index, length);
        if (vni == Vxlan.DECAP_ERROR) {
            decapErrors.increment();
            return;
        }
        deliver(routes, vni, buf, index + Vxlan.HEADER_LENGTH, length - Vxlan.HEADER_LENGTH,
                senderIsIpv4 ? sender4 : 0, senderIsIpv4, cut(length, wireLength),
                (wireLength < 0 ? length : wireLength) - Vxlan.HEADER_LENGTH, kernelNanos);
    }

    /**
     * Handles one GENEVE payload (a Gateway Load Balancer's, UDP 6081) of {@code length} bytes at
     * {@code index} from {@code sender}. For geneve+vxlan the mirror source, not the GWLB, is what
     * {@code allow-sources} and filter direction see; for Ethernet inside GENEVE, the outer
     * source. An OAM packet is counted and not written. Does not keep {@code buf}.
     */
    public void processGeneve(ByteBuf buf, int index, int length, InetAddress sender) {
        boolean v4 = sender instanceof Inet4Address;
        processGeneve(buf, index, length, UNKNOWN_LENGTH, v4, v4 ? sender.hashCode() : 0, v4 ? 0 : high(sender),
                v4 ? 0 : low(sender), NO_KERNEL_TIME);
    }

    /** {@link #processGeneve(ByteBuf, int, int, InetAddress)} for {@link MmsgSocket}, as {@link #process} is. */
    public void processGeneve(ByteBuf buf, int index, int length, int wireLength, boolean senderIsIpv4, int sender4,
                              long sender6High, long sender6Low, long kernelNanos) {
        received.increment();
        SessionTable.Routes routes = sessions.routes();
        int vni = geneve.decode(buf, index, length);
        if (vni < 0) {
            (vni == Geneve.OAM ? geneveOam : decapErrors).increment();
            return;
        }
        int source4;
        boolean sourceIsIpv4;
        if (geneve.carriesVxlan()) {
            sourceIsIpv4 = geneve.mirrorSourceIsIpv4();
            source4 = geneve.mirrorSource4();
            if (sourceIsIpv4 ? !routes.allows4(source4)
                    : !routes.allows6(geneve.mirrorSource6High(), geneve.mirrorSource6Low())) {
                notAllowed.increment();
                return;
            }
        } else {
            if (senderIsIpv4 ? !routes.allows4(sender4) : !routes.allows6(sender6High, sender6Low)) {
                notAllowed.increment();
                return;
            }
            sourceIsIpv4 = senderIsIpv4;
            source4 = senderIsIpv4 ? sender4 : 0;
        }
        int frameIndex = geneve.frameIndex();
        int frameLength = geneve.frameLength();
        deliver(routes, vni, buf, frameIndex, frameLength, source4, sourceIsIpv4, cut(length, wireLength),
                frameLength + (wireLength < 0 ? 0 : wireLength - length), kernelNanos);
    }

    /**
     * True when the datagram may have lost bytes: the kernel said so (MSG_TRUNC: it was longer than
     * its slot), or, where nobody says (Netty's recvmmsg does not pass MSG_TRUNC on), it filled its
     * slot.
     */
    private static boolean cut(int length, int wireLength) {
        return wireLength < 0 ? length >= ReceiveSettings.MAX_DATAGRAM : wireLength > length;
    }

    private static long high(InetAddress a) {
        return half(a.getAddress(), 0);
    }

    private static long low(InetAddress a) {
        return half(a.getAddress(), 8);
    }

    /** Eight bytes of an IPv6 address from {@code from}, big-endian (fallback path only: it allocates). */
    private static long half(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = (v << 8) | (b[i] & 0xFF);
        }
        return v;
    }

    /**
     * Session, filter, snaplen, stage: the same for every encapsulation. {@code slotFilled}: the
     * datagram filled its receive slot, so the kernel may have cut it (Netty's recvmmsg does not
     * pass MSG_TRUNC on): it is counted as truncated, never written as if whole without a count.
     */
    private void deliver(SessionTable.Routes routes, int vni, ByteBuf buf, int frameIndex, int frameLength,
                         int source4, boolean sourceIsIpv4, boolean slotFilled, int wireFrameLength, long kernelNanos) {
        Session session = routes.get(vni);
        if (session == null) {
            session = sessions.forUnknown(vni);
            if (session == null) {
                (sessions.capturesUnknown() ? sessionLimit : unknownVni).increment();
                return;
            }
        }
        frame.wrap(buf, frameIndex, frameLength);
        SessionLane sessionLane = session.lane(lane);
        SessionFilter filter = session.filter();
        int decision = filter.decide(frame, source4, sourceIsIpv4);
        sessionLane.decided(decision);
        if (!filter.keeps(decision)) {
            sessionLane.filteredOut();
            return;
        }
        int snaplen = session.snaplen();
        int caplen = snaplen > 0 && snaplen < frameLength ? snaplen : frameLength;
        // A frame the kernel cut to its slot was at least as long as the datagram said.
        int origlen = Math.max(frame.originalLength(), wireFrameLength);
        int w = session.writer();
        StagingRing ring = rings[w];
        if (!ring.offer(session.id(), timestamp(kernelNanos), buf, frameIndex, caplen, origlen)) {
            sessionLane.backlogDrop();
            return;
        }
        sessionLane.staged(origlen > caplen || slotFilled);
        WriterWakeup wakeup = wakeups[w];
        if (wakeup.parked() && ring.backlog() >= WriterWakeup.WAKE_BYTES) {
            wakeup.wake();
        }
    }

    /**
     * The time the datagram was read. The clock (a vDSO call, ~20 ns here: as much as the rest of
     * the path) is read for the first datagram of each socket read and then every
     * {@link #CLOCK_EVERY} datagrams: the datagrams of one recvmmsg batch were all queued before the
     * call returned, so a few microseconds of shared timestamp say nothing less true than a
     * spread that only measures our own processing.
     */
    private long timestamp(long kernelNanos) {
        if (kernelNanos != NO_KERNEL_TIME) {
            // The kernel's time of arrival, kept in order: a ring (and so a file) never goes back.
            long t = Math.max(kernelNanos, lastTimestamp);
            lastTimestamp = t;
            return t;
        }
        if (--clockBudget > 0) {
            return lastTimestamp;
        }
        clockBudget = CLOCK_EVERY;
        return readClock();
    }

    /** Datagrams that may share one clock reading. */
    static final int CLOCK_EVERY = 16;

    /** The socket read is over (Netty's channelReadComplete): the next datagram reads the clock. */
    public void readComplete() {
        clockBudget = 0;
    }

    private long readClock() {
        long now = clock.nowNanos();
        if (now < lastTimestamp) {
            now = lastTimestamp;
        }
        lastTimestamp = now;
        return now;
    }

    /**
     * The receive thread's timer (every {@link Receiver#TICK_MILLIS} ms): promises the writers
     * that nothing older than now will follow, so they need not wait for an idle thread, wakes a
     * parked writer that has records waiting, gives back what a past burst made resident, and now
     * and then re-reads the wall clock.
     */
    public void tick() {
        if (++ticks % 20 == 0) {
            clock.calibrate();
        }
        publishWatermark();
        for (int w = 0; w < rings.length; w++) {
            if (wakeups[w].parked() && rings[w].backlog() > 0) {
                wakeups[w].wake();
            }
            rings[w].trim(); // this thread is the ring's producer: giving a burst's reserve back is safe here
        }
    }

    /**
     * Lets writers ask for a watermark: each request runs {@link #publishWatermark()} once on
     * {@code thread} (the receive thread's event loop), between socket reads.
     */
    public void answerWatermarkRequestsOn(Executor thread) {
        Runnable answer = () -> {
            watermarkWanted.set(false);
            publishWatermark();
        };
        Runnable request = () -> {
            if (watermarkWanted.compareAndSet(false, true)) {
                try {
                    thread.execute(answer);
                } catch (RejectedExecutionException stopping) {
                    // The receive thread is stopping; closing its rings releases every writer.
                }
            }
        };
        for (StagingRing r : rings) {
            r.onWatermarkRequest(request);
        }
    }

    /**
     * Promises the writers that nothing older than now follows. Receive thread, between reads.
     * With kernel receive times, what still waits in this thread's sockets was stamped before now:
     * they are read first ({@link #readQueuedBeforeWatermark}), and if they could not all be read
     * within the budget, the promise is only the newest time staged so far.
     */
    public void publishWatermark() {
        long mark;
        if (readQueued != null && !readQueued.getAsBoolean()) {
            mark = lastTimestamp;
        } else {
            mark = readClock();
        }
        clockBudget = 0;
        for (StagingRing r : rings) {
            r.advanceWatermark(mark);
        }
    }

    /**
     * Where datagrams carry the kernel's receive time: {@code readQueued} reads what this thread's
     * sockets hold and says whether they are empty now; {@link #publishWatermark} runs it first.
     */
    public void readQueuedBeforeWatermark(java.util.function.BooleanSupplier readQueued) {
        this.readQueued = readQueued;
    }

    /** This thread stages nothing more (shutdown): the writers stop waiting for it. */
    public void close() {
        for (int w = 0; w < rings.length; w++) {
            rings[w].close();
            wakeups[w].wake();
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

    /** GENEVE OAM packets (O bit): a capture target counts them and writes nothing. */
    public long geneveOam() {
        return geneveOam.get();
    }
}
