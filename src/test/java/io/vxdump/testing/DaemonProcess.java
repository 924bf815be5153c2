package io.vxdump.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code java -jar vxdump.jar serve ...} as a real process: started, fed, signalled, read back. */
public final class DaemonProcess implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("serving on (\\S+):(\\d+) udp");
    private static final Pattern METRICS = Pattern.compile("metrics http://(\\S+):(\\d+)/metrics");
    private static final Pattern TOTAL = Pattern.compile("(\\w+)=(\\d+)");

    private final Process process;
    private final Path log;
    private final InetSocketAddress address;

    private DaemonProcess(Process process, Path log, InetSocketAddress address) {
        this.process = process;
        this.log = log;
        this.address = address;
    }

    /** The shaded jar that {@code mvn package} built. */
    public static Path jar() {
        String env = System.getenv("VXDUMP_JAR");
        Path jar = env != null ? Path.of(env) : Path.of("target", "vxdump.jar");
        assertTrue(Files.exists(jar), "build the jar first (mvn package): " + jar);
        return jar;
    }

    /** The launcher, {@code bin/vxdump}, as a user (and the systemd unit) starts vxdump. */
    public static Path launcher() {
        Path l = Path.of("bin", "vxdump").toAbsolutePath();
        assertTrue(Files.isExecutable(l), "no launcher: " + l);
        return l;
    }

    /**
     * Starts {@code prefix... bin/vxdump serve args...} (the launcher, with this JVM's java and the
     * built jar) and waits until it serves.
     */
    public static DaemonProcess start(Path workDir, List<String> prefix, String... args) throws Exception {
        return start(workDir, prefix, "", args);
    }

    /** {@link #start(Path, List, String...)} with {@code jvmOptions} (e.g. {@code -Dkey=value}) for the daemon's JVM. */
    public static DaemonProcess startWithJvmOptions(Path workDir, String jvmOptions, String... args) throws Exception {
        return start(workDir, List.of(), " " + jvmOptions, args);
    }

    private static DaemonProcess start(Path workDir, List<String> prefix, String jvmOptions, String[] args)
            throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("env", "JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "VXDUMP_JAR=" + jar().toAbsolutePath(), "VXDUMP_JAVA_OPTS=-Xmx256m" + receivePath() + jvmOptions,
                launcher().toString(), "serve"));
        command.addAll(List.of(args));
        return launch(workDir, command);
    }

    /**
     * The receive path the daemons under test take: {@code -Dvxdump.it.receive=nojna} (the build's
     * second integration-test run) makes them read with Netty's channel instead of our own recvmmsg;
     * {@code ring} (the third) through AF_PACKET rings.
     */
    private static String receivePath() {
        String path = System.getProperty("vxdump.it.receive");
        return path == null || path.isBlank() ? "" : " -Dvxdump.receive=" + path;
    }

    /**
     * Starts {@code launcher serve args...} as installed: the launcher finds its own jar and Java
     * and sets its default JVM options (nothing of this build's environment is passed on).
     */
    public static DaemonProcess startInstalled(Path workDir, Path installedLauncher, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("env", "-u", "VXDUMP_JAR", "-u", "JAVA", "-u", "JAVA_HOME",
                "-u", "VXDUMP_JAVA_OPTS", "VXDUMP_CDS=off", installedLauncher.toString(), "serve"));
        command.addAll(List.of(args));
        return launch(workDir, command);
    }

    private static DaemonProcess launch(Path workDir, List<String> command) throws Exception {
        if (!command.contains("--metrics")) {
            command.addAll(List.of("--metrics", "127.0.0.1:0")); // never collide with a real 9464
        }
        Files.createDirectories(workDir);
        Path log = Files.createTempFile(workDir, "vxdump", ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String text = Files.readString(log);
            Matcher m = SERVING.matcher(text);
            if (m.find() && text.contains("Daemon: metrics ")) { // the start-up summary's last line
                String host = m.group(1).replace("[", "").replace("]", "");
                return new DaemonProcess(p, log, new InetSocketAddress(host, Integer.parseInt(m.group(2))));
            }
            if (!p.isAlive()) {
                fail("vxdump exited with " + p.exitValue() + " before serving:\n" + Files.readString(log));
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("vxdump did not start serving:\n" + Files.readString(log));
    }

    /** Runs {@code vxdump args...} to its end; returns the exit status and everything it printed. */
    public static Map.Entry<Integer, String> run(Path workDir, String... args) throws Exception {
        return run(workDir, List.of(), args);
    }

    /** {@link #run(Path, String...)} behind {@code prefix} (e.g. {@code env VAR=value}). */
    public static Map.Entry<Integer, String> run(Path workDir, List<String> prefix, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("env", "JAVA=" + Path.of(System.getProperty("java.home"), "bin", "java"),
                "VXDUMP_JAR=" + jar().toAbsolutePath(), launcher().toString()));
        command.addAll(List.of(args));
        // Output goes to a file, so a command that does not end fails the test instead of hanging it.
        Path log = Files.createTempFile(workDir, "vxdump-run", ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("vxdump " + String.join(" ", args) + " did not end:\n" + Files.readString(log));
        }
        String out = Files.readString(log);
        Files.delete(log);
        return Map.entry(p.exitValue(), out);
    }

    public static DaemonProcess start(Path workDir, String... args) throws Exception {
        return start(workDir, List.of(), args);
    }

    public InetSocketAddress address() {
        return address;
    }

    /** The bound address of the listener of this encapsulation ({@code vxlan}, {@code geneve}), from the start-up line. */
    public InetSocketAddress address(String encapsulation) throws IOException {
        Matcher m = Pattern.compile("(\\S+):(\\d+) udp \\(" + encapsulation + "\\)").matcher(Files.readString(log));
        if (!m.find()) {
            throw new AssertionError("no " + encapsulation + " listener in the start-up line");
        }
        String host = m.group(1).replace("[", "").replace("]", "").replaceFirst("^.*serving on ", "");
        return new InetSocketAddress(host, Integer.parseInt(m.group(2)));
    }

    /** Sends each datagram to {@code to} from one socket, in order. */
    public static void sendTo(InetSocketAddress to, List<byte[]> datagrams) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            for (byte[] d : datagrams) {
                s.send(new DatagramPacket(d, d.length, to));
            }
        }
    }

    /** The metrics and health address from the start-up line. */
    public InetSocketAddress metricsAddress() throws IOException {
        Matcher m = METRICS.matcher(log());
        assertTrue(m.find(), "metrics are off:\n" + log());
        return new InetSocketAddress(m.group(1), Integer.parseInt(m.group(2)));
    }

    /** GET {@code path} on the metrics port: the status and the body. */
    public Map.Entry<Integer, String> http(String path, String accept) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        InetSocketAddress a = metricsAddress();
        java.net.http.HttpRequest.Builder req = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://" + a.getHostString() + ":" + a.getPort() + path));
        if (accept != null) {
            req.header("Accept", accept);
        }
        java.net.http.HttpResponse<String> r = client.send(req.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        return Map.entry(r.statusCode(), r.body() + (r.headers().firstValue("Content-Type").map(t -> "\n#content-type " + t).orElse("")));
    }

    /** Sends each datagram from one socket (one flow, so one receive socket, so order is kept). */
    public void send(List<byte[]> datagrams) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            for (byte[] d : datagrams) {
                s.send(new DatagramPacket(d, d.length, address));
            }
        }
    }

    /**
     * Sends the datagrams round robin from {@code ports} sockets (so SO_REUSEPORT spreads them over
     * the receive threads), pausing briefly every {@code burst} datagrams so no socket buffer overflows.
     */
    public void sendFromPorts(List<byte[]> datagrams, int ports, int burst) throws Exception {
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < ports; i++) {
                sockets.add(new DatagramSocket());
            }
            for (int i = 0; i < datagrams.size(); i++) {
                byte[] d = datagrams.get(i);
                sockets.get(i % ports).send(new DatagramPacket(d, d.length, address));
                if (i % burst == burst - 1) {
                    Thread.sleep(2);
                }
            }
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    /** The daemon's process id. */
    public long pid() {
        return process.pid();
    }

    /** File descriptors the daemon holds now. */
    public long openFileDescriptors() throws IOException {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(process.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** SIGTERM; returns the exit status, failing if the process takes longer than {@code seconds}. */
    public int terminate(int seconds) throws Exception {
        process.destroy(); // SIGTERM
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("vxdump did not exit within " + seconds + " s of SIGTERM:\n" + log());
        }
        return process.exitValue();
    }

    /** Asks the daemon's JVM for a full garbage collection (jcmd), as a long run would have had. */
    public void collectGarbage() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(process.pid()), "GC.run").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "jcmd GC.run failed: " + out);
    }

    /** SIGKILL, as a crash. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** The counts of the shutdown line ({@code totals: received=... written=...}). */
    public Map<String, Long> totals() throws IOException {
        String text = log();
        int at = text.lastIndexOf("totals: ");
        assertTrue(at >= 0, "no totals line in:\n" + text);
        String line = text.substring(at, text.indexOf('\n', at));
        Map<String, Long> out = new HashMap<>();
        Matcher m = TOTAL.matcher(line);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return out;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
