package io.vxdump.cli;

import io.vxdump.config.ConfigException;
import picocli.CommandLine;

/** Entry point: runs the command line and exits with its status. */
public final class Main {
    /** A usage or configuration mistake. */
    static final int EXIT_USAGE = 2;
    /** Anything else that stopped the command. */
    static final int EXIT_FAILURE = 1;

    private Main() {
    }

    public static void main(String[] args) {
        // Our handler releases every buffer in a finally block; Netty's sampling leak detector would
        // only wrap some buffers per read, which costs time and makes the JIT recompile the receive
        // path when the first wrapped one turns up. -Dio.netty.leakDetection.level=... still wins.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        if (args.length > 0 && args[0].equals("serve")) {
            StartupPreload.start();
        }
        System.exit(run(args));
    }

    /** Runs {@code vxdump args...} and returns the exit status. */
    public static int run(String... args) {
        CommandLine cli = VxdumpCommand.forArgs(args);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException) {
                cmd.getErr().println("vxdump: " + e.getMessage());
                return EXIT_USAGE;
            }
            cmd.getErr().println("vxdump: " + oneLine(e));
            return EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine at = e.getCommandLine();
            if (at.getCommandSpec().parent() == null && e instanceof CommandLine.UnmatchedArgumentException u
                    && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
                at.getErr().println("vxdump: unknown command '" + u.getUnmatched().get(0) + "' (commands: "
                        + String.join(", ", at.getSubcommands().keySet()) + ")");
                at.getErr().println("try 'vxdump help'");
                return EXIT_USAGE;
            }
            e.getCommandLine().getErr().println("vxdump: " + e.getMessage());
            // qualifiedName: "vxdump" for the top command, "vxdump serve" for a subcommand
            e.getCommandLine().getErr().println("try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'");
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
