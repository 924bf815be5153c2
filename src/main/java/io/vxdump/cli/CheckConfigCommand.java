package io.vxdump.cli;

import io.vxdump.config.ConfigBuilder;
import io.vxdump.config.ConfigFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vxdump check-config FILE}: validates a file and prints the effective settings. */
@Command(name = "check-config", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Validate a configuration file and print the effective sessions and settings.")
final class CheckConfigCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        ConfigBuilder b = new ConfigBuilder();
        ConfigFile.apply(file, b);
        System.out.print(b.build().describe());
        System.out.println(file + ": OK");
        return 0;
    }
}
