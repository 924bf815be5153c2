package io.vxdump.cli;

import io.vxdump.config.HostPort;
import io.vxdump.replay.ReplayResult;
import io.vxdump.replay.Replayer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vxdump replay FILE... --to HOST:PORT}: sends captures to a VXLAN target, as a mirror
 * source would. Exit 0 when every file played whole, 2 when a file was bad (what could be sent
 * was sent).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Send pcap/pcapng captures to a VXLAN target (vxdump, Zeek, Suricata, a kernel vxlan device).")
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "pcap or pcapng files, played in order.")
    List<Path> files;
    @Option(names = "--to", required = true, paramLabel = "HOST:PORT", description = "The VXLAN target.")
    String to;
    @Option(names = "--vni", paramLabel = "N", description = "VNI to wrap frames in (default 1), or to rewrite in VXLAN captures.")
    Integer vni;
    @Option(names = "--from-port", paramLabel = "N", defaultValue = "4789",
            description = "UDP port that marks VXLAN in the capture (default 4789).")
    int fromPort;
    @Option(names = "--source-port", paramLabel = "N", description = "Send every datagram from this UDP port (default: a hash of the inner flow).")
    Integer sourcePort;
    @Option(names = "--loop", paramLabel = "N", defaultValue = "1", description = "Play the files N times.")
    int loop;
    @Option(names = "--encap", paramLabel = "vxlan|geneve", defaultValue = "vxlan",
            description = "vxlan (default), or geneve: each VXLAN datagram inside IPv4/UDP 4789 and GENEVE with "
                    + "AWS-like options, as a Gateway Load Balancer hands it to its targets.")
    String encap;

    @Option(names = "--max-gap", paramLabel = "DURATION", defaultValue = "1s",
            description = "With the capture's timing, cut longer gaps between packets to this (default 1s; 0 = never).")
    String maxGap;

    @ArgGroup(exclusive = true)
    Rate rate = new Rate();

    static final class Rate {
        @Option(names = "--speed", paramLabel = "X", description = "Capture timing, X times as fast (default 1).")
        Double speed;
        @Option(names = "--pps", paramLabel = "N", description = "N packets per second.")
        Double pps;
        @Option(names = "--mbps", paramLabel = "N", description = "N megabits per second of UDP payload.")
        Double mbps;
        @Option(names = "--topspeed", description = "As fast as possible.")
        boolean topspeed;
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress target = parseTarget();
        check(vni == null || (vni >= 0 && vni <= 0xFFFFFF), "--vni: " + vni + " is not in 0..16777215");
        check(fromPort > 0 && fromPort <= 65535, "--from-port: " + fromPort + " is not a port");
        check(sourcePort == null || (sourcePort > 0 && sourcePort <= 65535), "--source-port: " + sourcePort + " is not a port");
        check(loop >= 1, "--loop: " + loop + " must be at least 1");
        check(encap.equals("vxlan") || encap.equals("geneve"), "--encap: '" + encap + "' is not vxlan or geneve");
        check(rate.speed == null || rate.speed > 0, "--speed: must be more than 0");
        check(rate.pps == null || rate.pps > 0, "--pps: must be more than 0");
        check(rate.mbps == null || rate.mbps > 0, "--mbps: must be more than 0");
        long maxGapNanos;
        try {
            maxGapNanos = io.vxdump.config.Units.parseDurationSeconds(maxGap) * 1_000_000_000L;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--max-gap: " + e.getMessage());
        }
        try {
            Replayer.checkReadable(files);
        } catch (IOException e) {
            spec.commandLine().getErr().println("vxdump: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        Replayer replayer = Replayer.of(target, fromPort, vni, sourcePort, rate.speed, rate.pps, rate.mbps,
                rate.topspeed, loop, System.console() != null ? System.err : null, encap.equals("geneve"), maxGapNanos);
        ReplayResult result = replayer.run(files);
        for (String problem : result.fileProblems()) {
            spec.commandLine().getErr().println("vxdump: " + problem);
        }
        System.out.println("vxdump replay: " + result.summary());
        if (result.refused() != null) {
            spec.commandLine().getErr().println("vxdump: " + to + ": " + result.refused());
            return Main.EXIT_FAILURE;
        }
        return result.fileProblems().isEmpty() ? 0 : Main.EXIT_USAGE;
    }

    private InetSocketAddress parseTarget() {
        try {
            InetSocketAddress a = HostPort.parse(to);
            check(a.getPort() != 0, "--to: the port must not be 0");
            return a;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--to: " + e.getMessage());
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
