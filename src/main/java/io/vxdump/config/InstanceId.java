package io.vxdump.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The default instance id: this host's name, first label, reduced to the characters file names allow. */
final class InstanceId {
    private InstanceId() {
    }

    static String fromHostName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        int dot = host.indexOf('.');
        String label = dot > 0 ? host.substring(0, dot) : host;
        String clean = label.replaceAll("[^A-Za-z0-9._-]", "_");
        return clean.isEmpty() ? "localhost" : clean.substring(0, Math.min(64, clean.length()));
    }
}
