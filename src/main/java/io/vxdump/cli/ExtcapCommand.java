package io.vxdump.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code vxdump extcap}: Wireshark's external-capture protocol ({@code man 4 extcap}) over the
 * daemon's live socket, so each session of the running daemon is an interface in Wireshark and
 * tshark ({@code vxdump-<session>}, and {@code vxdump-all}). Listing asks the daemon over its socket
 * ({@code SESSIONS}): no network, no warm-up. Capturing is {@code vxdump tail} into the FIFO
 * Wireshark gives. {@code --install [DIR]} writes the small executable wrapper Wireshark runs.
 */
@Command(name = "extcap", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Wireshark's extcap interface to the running daemon's sessions (and --install to set it up).")
final class ExtcapCommand implements Callable<Integer> {
    static final String PREFIX = "vxdump-";
    static final String ALL = PREFIX + "all";
    static final String NOT_RUNNING = PREFIX + "not-running";

    @Spec
    CommandSpec spec;

    @Option(names = "--extcap-interfaces", description = "List the interfaces (Wireshark asks).")
    boolean interfaces;
    @Option(names = "--extcap-version", arity = "0..1", paramLabel = "VERSION", description = "Wireshark's version (ignored).")
    String wiresharkVersion;
    @Option(names = "--extcap-interface", paramLabel = "NAME", description = "The interface asked about.")
    String iface;
    @Option(names = "--extcap-dlts", description = "The interface's link types.")
    boolean dlts;
    @Option(names = "--extcap-config", description = "The interface's settings.")
    boolean config;
    @Option(names = "--capture", description = "Capture into --fifo.")
    boolean capture;
    @Option(names = "--fifo", paramLabel = "PATH", description = "Where Wireshark reads the capture.")
    String fifo;
    @Option(names = "--extcap-capture-filter", paramLabel = "EXPR", description = "A capture filter (run in the daemon).")
    String filter;
    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's live socket (default $VXDUMP_LIVE_SOCKET, else " + TailCommand.DEFAULT_SOCKET + ").")
    String socket;
    @Option(names = "--install", arity = "0..1", paramLabel = "DIR", fallbackValue = "",
            description = "Write the wrapper Wireshark runs into DIR (default: the personal extcap folder of Wireshark 4.0, "
                    + "~/.config/wireshark/extcap, and of 4.2 and later, ~/.local/lib/wireshark/extcap).")
    String install;
    /** What Wireshark may add that vxdump has no use for (--debug, --extcap-reload-option, ...). */
    @Unmatched
    List<String> ignored = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path path = TailCommand.socketPath(socket);
        if (install != null) {
            return install(out, err, path);
        }
        if (interfaces) {
            out.println("extcap {version=" + io.vxdump.metrics.BuildInfo.current().version() + "}{display=vxdump live sessions}"
                    + "{help=https://github.com/vxdump/vxdump#watching-live}");
            List<String> sessions;
            try {
                sessions = sessions(path);
            } catch (IOException e) {
                out.println("interface {value=" + NOT_RUNNING + "}{display=vxdump is not running (" + path + ": "
                        + (Files.exists(path) ? e.getMessage() : "no live socket") + ")}");
                out.flush();
                return 0;
            }
            out.println("interface {value=" + ALL + "}{display=vxdump: all sessions}");
            for (String s : sessions) {
                out.println("interface {value=" + PREFIX + s + "}{display=vxdump: session " + s + "}");
            }
            out.flush();
            return 0;
        }
        if (iface == null || !iface.startsWith(PREFIX)) {
            err.println("vxdump: extcap: --extcap-interface " + (iface == null ? "is missing" : "'" + iface + "' is not vxdump's"));
            return Main.EXIT_USAGE;
        }
        if (dlts) {
            out.println("dlt {number=1}{name=EN10MB}{display=Ethernet (the mirrored frames)}");
            out.flush();
            return 0;
        }
        if (config) {
            out.println("arg {number=0}{call=--socket}{display=Live socket}{type=string}{default=" + path
                    + "}{tooltip=The daemon's live socket: <output>/live.socket}");
            out.flush();
            return 0;
        }
        if (capture) {
            if (fifo == null) {
                err.println("vxdump: extcap: --capture needs --fifo PATH");
                return Main.EXIT_USAGE;
            }
            if (iface.equals(NOT_RUNNING)) {
                err.println("vxdump: " + path + ": no live socket: is vxdump serve running with this output?");
                return Main.EXIT_FAILURE;
            }
            TailCommand tail = new TailCommand();
            tail.spec = spec;
            tail.socket = path.toString();
            tail.write = fifo;
            if (!iface.equals(ALL)) {
                tail.sessions.add(iface.substring(PREFIX.length()));
            }
            if (filter != null && !filter.isBlank()) {
                tail.words.add(filter);
            }
            return tail.call();
        }
        if (filter != null) {
            // Wireshark checks a capture filter as it is typed: nothing printed means valid.
            try (io.vxdump.capture.BpfMatcher ignoredMatcher = io.vxdump.capture.BpfMatcher.compile(filter,
                    io.vxdump.pcap.PcapFormat.LINKTYPE_ETHERNET)) {
                return 0;
            } catch (IllegalArgumentException | IllegalStateException e) {
                out.println(e.getMessage());
                out.flush();
                return 0;
            }
        }
        err.println("vxdump: extcap: say --extcap-interfaces, --extcap-dlts, --extcap-config, --capture or --install");
        return Main.EXIT_USAGE;
    }

    /** The daemon's routed sessions, asked over its live socket. */
    static List<String> sessions(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            c.write(ByteBuffer.wrap("SESSIONS\n".getBytes(StandardCharsets.US_ASCII)));
            String reply = new String(Channels.newInputStream(c).readAllBytes(), StandardCharsets.UTF_8);
            if (reply.startsWith("ERROR ")) {
                throw new IOException(reply.substring(6).strip());
            }
            return reply.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    /**
     * Writes {@code <dir>/vxdump} (0755): a shell script that runs this launcher's {@code extcap}
     * with the socket fixed at install time. Without DIR, into Wireshark's personal folders.
     */
    private int install(PrintWriter out, PrintWriter err, Path path) throws IOException {
        String launcher = System.getenv("VXDUMP_LAUNCHER");
        if (launcher == null || launcher.isBlank()) {
            err.println("vxdump: extcap --install: run it through the vxdump launcher (bin/vxdump), whose path the wrapper calls");
            return Main.EXIT_FAILURE;
        }
        List<Path> dirs = new ArrayList<>();
        if (!install.isEmpty()) {
            dirs.add(Path.of(install));
        } else {
            String home = System.getProperty("user.home");
            String config = System.getenv().getOrDefault("XDG_CONFIG_HOME", home + "/.config");
            dirs.add(Path.of(config, "wireshark", "extcap")); // Wireshark 4.0 and before
            dirs.add(Path.of(home, ".local", "lib", "wireshark", "extcap")); // 4.2 and later
        }
        String script = "#!/bin/sh\n"
                + "# Wireshark's extcap wrapper for vxdump (written by 'vxdump extcap --install'): the running daemon's\n"
                + "# sessions as capture interfaces. Remove this file to remove them.\n"
                + "VXDUMP_LIVE_SOCKET=${VXDUMP_LIVE_SOCKET:-" + shellQuote(path.toString()) + "}\n"
                + "export VXDUMP_LIVE_SOCKET\n"
                + "exec " + shellQuote(launcher) + " extcap \"$@\"\n";
        for (Path dir : dirs) {
            try {
                Files.createDirectories(dir);
                Path wrapper = dir.resolve("vxdump");
                Files.writeString(wrapper, script);
                Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
                out.println(wrapper);
            } catch (IOException e) {
                err.println("vxdump: extcap --install: " + dir + ": " + e.getMessage());
                return Main.EXIT_FAILURE;
            }
        }
        out.flush();
        return 0;
    }

    private static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
