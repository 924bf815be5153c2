package io.vxdump.cli;

import picocli.CommandLine.Command;

/** The top-level command; its subcommands do the work. */
@Command(name = "vxdump", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "AWS VPC Traffic Mirroring target: receives VXLAN on UDP 4789 and writes per-session pcap files.",
        subcommands = {ServeCommand.class, ReplayCommand.class, FetchCommand.class, TailCommand.class, ExtcapCommand.class, CheckConfigCommand.class, VersionCommand.class,
                picocli.CommandLine.HelpCommand.class})
final class VxdumpCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
