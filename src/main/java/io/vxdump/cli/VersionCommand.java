package io.vxdump.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** {@code vxdump version}: the build's version. */
@Command(name = "version", description = "Print the version.")
final class VersionCommand implements Runnable {
    @Override
    public void run() {
        System.out.println(Provider.version());
    }

    /** Reads the version from the jar manifest (absent when run from classes). */
    static final class Provider implements IVersionProvider {
        static String version() {
            String v = VersionCommand.class.getPackage().getImplementationVersion();
            return "vxdump " + (v == null ? "development build" : v);
        }

        @Override
        public String[] getVersion() {
            return new String[] {version()};
        }
    }
}
