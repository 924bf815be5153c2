package io.vxdump.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command; its subcommands do the work. */
@Command(name = "vxdump", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "AWS VPC Traffic Mirroring target: receives VXLAN on UDP 4789 and writes per-session pcap files.")
final class VxdumpCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /**
     * The command line for {@code args}. For {@code serve} only that subcommand is modelled: picocli
     * builds every subcommand's model by reflection before it parses, in a cold JVM, and a restarted
     * daemon loses the traffic that arrives before it binds its ports (docs/ARCHITECTURE.md, "Start-up").
     */
    static CommandLine forArgs(String... args) {
        CommandLine cli = new CommandLine(new VxdumpCommand()).addSubcommand(new ServeCommand());
        if (args.length > 0 && args[0].equals("serve")) {
            return cli;
        }
        for (Object sub : new Object[] {new ReplayCommand(), new FetchCommand(), new TailCommand(),
                new ExtcapCommand(), new CheckConfigCommand(), new VersionCommand(), new CommandLine.HelpCommand()}) {
            cli.addSubcommand(sub);
        }
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
