package io.vxdump.cli;

import io.vxdump.config.ServeConfig;
import io.vxdump.serve.Daemon;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import sun.misc.Signal;

/**
 * {@code vxdump serve}: runs until SIGTERM or SIGINT, then drains and finishes every file and
 * exits 0. SIGUSR1 finishes every open file and goes on; SIGHUP re-reads the configuration. The signals are handled here rather than by a shutdown hook so that the stop is
 * orderly and the exit status is 0, not 143.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Receive mirrored VXLAN traffic and write rotating pcap files per session.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ServeOptions options = new ServeOptions();

    /**
     * bin/vxdump's class-data training run: start on loopback in a scratch directory, stop at once,
     * so the JVM's archive (-XX:ArchiveClassesAtExit) holds every class a start loads before it binds.
     */
    @picocli.CommandLine.Option(names = "--cds-training", hidden = true)
    boolean cdsTraining;

    @Override
    public Integer call() throws Exception {
        if (cdsTraining) {
            return train();
        }
        ServeConfig config = options.resolve();
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        Daemon daemon = new Daemon(config);
        // Before start: the JVM's own SIGHUP action would end the process during the warm-up.
        Signal.handle(new Signal("USR1"), s -> daemon.finishOpenFiles());
        Signal.handle(new Signal("HUP"), s -> reload(daemon));
        ServeSignals.ignoreStray();
        try {
            daemon.start();
        } catch (java.nio.file.FileSystemException e) {
            String reason = e.getReason() != null ? e.getReason()
                    : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                    : e.getClass().getSimpleName();
            throw new IOException("cannot start: " + e.getFile() + ": " + reason, e);
        } catch (IOException e) {
            throw new IOException("cannot start: " + e.getMessage(), e);
        } catch (io.netty.channel.ChannelException e) {
            throw new IOException("cannot bind " + String.join(", ", config.listen().stream()
                    .map(io.vxdump.config.Listener::format).toList()) + ": " + e.getMessage(), e);
        }
        ServeSignals.warnIfUsr2Unsafe();
        stop.await();
        daemon.stop();
        return 0;
    }

    private static int train() throws Exception {
        java.nio.file.Path scratch = java.nio.file.Files.createTempDirectory("vxdump-cds");
        try {
            ServeOptions o = new ServeOptions();
            o.listen = java.util.List.of("127.0.0.1:0");
            o.metrics = "127.0.0.1:0";
            o.output = scratch.toString();
            o.instanceId = "cds-training";
            Daemon d = new Daemon(o.resolve());
            d.start();
            d.stop();
            return 0;
        } finally {
            try (var all = java.nio.file.Files.walk(scratch)) {
                for (java.nio.file.Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
        }
    }

    /** SIGHUP: the file and the flags again; an error is one log line and changes nothing. */
    private void reload(Daemon daemon) {
        String source = options.config == null ? "the command line" : options.config.toString();
        ServeConfig next;
        try {
            next = options.resolve();
        } catch (io.vxdump.config.ConfigException e) {
            daemon.reloadRefused(e.getMessage());
            return;
        } catch (RuntimeException e) {
            daemon.reloadRefused(source + ": " + e);
            return;
        }
        daemon.reload(next, source);
    }
}
