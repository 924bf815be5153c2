package io.vxdump.cli;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code vxdump tail [--session NAME]... [--socket PATH] [FILTER] [-w FILE|-] [-c COUNT]}: the
 * sessions' packets as the running daemon writes them, from its live socket: a pcap stream to a file
 * or stdout, or a line per packet on a terminal. The filter runs in the daemon. Exit 0 at the end of
 * the stream (or after COUNT packets), 1 when the daemon cannot be reached, 2 for a bad filter.
 */
@Command(name = "tail", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Watch sessions live: the packets the running daemon writes, as a pcap stream or a line each.")
final class TailCommand implements Callable<Integer> {
    static final String DEFAULT_SOCKET = "/var/lib/vxdump/captures/live.socket";

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILTER", arity = "0..*", description = "A filter expression as tcpdump takes it (run in the daemon).")
    List<String> words = new ArrayList<>();
    @Option(names = "--session", paramLabel = "NAME", description = "A session to watch (repeat for more; default all).")
    List<String> sessions = new ArrayList<>();
    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's live socket: <output>/live.socket (default " + DEFAULT_SOCKET + ", or $VXDUMP_LIVE_SOCKET).")
    String socket;
    @Option(names = "-w", paramLabel = "FILE|-", description = "Write the pcap stream to FILE or - (stdout); "
            + "default: stdout when it is not a terminal, else a line per packet.")
    String write;
    @Option(names = "-c", paramLabel = "COUNT", description = "Stop after COUNT packets.")
    long count;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        Path path = socketPath(socket);
        for (String s : sessions) {
            if (!s.matches("[A-Za-z0-9._-]{1,64}")) {
                err.println("vxdump: --session: '" + s + "' is not a session name");
                return Main.EXIT_USAGE;
            }
        }
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            err.println("vxdump: " + path + ": " + (why.contains("Permission denied") || why.contains("Access denied")
                    ? "permission denied: the live socket is for the daemon's user and group (run as one of its group, or as root)"
                    : Files.exists(path) ? "cannot connect (" + why + ")"
                    : "no live socket: is vxdump serve running with this output? (--socket PATH)"));
            return Main.EXIT_FAILURE;
        }
        try (channel) {
            boolean lines = write == null && Terminal.stdout();
            String request = "WATCH " + (sessions.isEmpty() ? "*" : String.join(",", sessions)) + "\t"
                    + String.join(" ", words).replace('\n', ' ') + (lines ? "\tnames" : "") + "\n";
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Channels.newInputStream(channel), 1 << 16));
            byte[] header = new byte[24];
            try {
                in.readFully(header, 0, 4);
            } catch (EOFException e) {
                err.println("vxdump: " + path + ": the daemon closed the stream");
                return Main.EXIT_FAILURE;
            }
            if (new String(header, 0, 4, StandardCharsets.US_ASCII).equals("ERRO")) {
                String line = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                String reason = line.startsWith("R ") ? line.substring(2) : line;
                err.println("vxdump: " + reason);
                return reason.startsWith("filter '") ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
            }
            in.readFully(header, 4, 20);
            if (lines) {
                return printLines(in, header);
            }
            try (OutputStream out = write == null || write.equals("-") ? System.out
                    : Files.newOutputStream(Path.of(write), StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING)) {
                copy(in, header, out);
            }
        }
        return 0;
    }

    /** The live socket: the option's, else {@code $VXDUMP_LIVE_SOCKET}, else the package's default. */
    static Path socketPath(String option) {
        return Path.of(option != null ? option : System.getenv().getOrDefault("VXDUMP_LIVE_SOCKET", DEFAULT_SOCKET));
    }

    /** The stream as it comes, record by record (so -c can stop at a record's end), flushed when idle. */
    private void copy(DataInputStream in, byte[] header, OutputStream out) throws IOException {
        out.write(header);
        out.flush();
        byte[] record = new byte[16];
        byte[] frame = new byte[65_536];
        long n = 0;
        while (count <= 0 || n < count) {
            if (!readRecord(in, record)) {
                break;
            }
            int caplen = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
            if (frame.length < caplen) {
                frame = new byte[caplen];
            }
            in.readFully(frame, 0, caplen);
            out.write(record);
            out.write(frame, 0, caplen);
            n++;
            if (in.available() == 0) {
                out.flush(); // a reader on a pipe (Wireshark, tcpdump) sees each burst as it comes
            }
        }
        out.flush();
    }

    private static boolean readRecord(DataInputStream in, byte[] record) throws IOException {
        try {
            in.readFully(record);
            return true;
        } catch (EOFException e) {
            return false; // the daemon stopped: the end of the stream
        }
    }

    /** One line per packet, as {@code tcpdump -n} would show its addresses and ports. */
    private int printLines(DataInputStream in, byte[] header) throws IOException {
        byte[] record = new byte[16];
        byte[] frame = new byte[65_536];
        long n = 0;
        // The stream has the files' precision: nanoseconds (magic a1b23c4d) or microseconds.
        int perUnit = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0) == 0xa1b23c4d ? 1 : 1000;
        byte[] name = new byte[255];
        while (count <= 0 || n < count) {
            int length = in.read();
            if (length < 0) {
                break; // the end of the stream
            }
            in.readFully(name, 0, length);
            if (!readRecord(in, record)) {
                break;
            }
            ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
            long seconds = Integer.toUnsignedLong(r.getInt(0));
            int nanos = r.getInt(4) * perUnit;
            int caplen = r.getInt(8);
            int origlen = r.getInt(12);
            if (frame.length < caplen) {
                frame = new byte[caplen];
            }
            in.readFully(frame, 0, caplen);
            System.out.println(Instant.ofEpochSecond(seconds, nanos) + " " + new String(name, 0, length, StandardCharsets.UTF_8)
                    + " " + FrameSummary.describe(frame, caplen)
                    + ", length " + origlen);
            n++;
        }
        return 0;
    }
}
