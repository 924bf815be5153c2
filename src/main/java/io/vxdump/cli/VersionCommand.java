package io.vxdump.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code vxdump version}: the build's version. */
@Command(name = "version", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class, description = "Print the version and the git revision it was built from.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println(Provider.version());
    }

    /** The version as the build recorded it (BuildInfo). */
    static final class Provider implements IVersionProvider {
        static String version() {
            return io.vxdump.metrics.BuildInfo.current().describe();
        }

        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
