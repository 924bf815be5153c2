package io.vxdump.config;

import java.nio.file.Path;
import java.util.Optional;

/**
 * The live stream's endpoint ({@code vxdump tail}, {@code vxdump extcap}).
 *
 * @param socket      the Unix socket's path; empty: {@code <output>/live.socket}
 * @param enabled     false ({@code live.socket: off}): no live socket at all
 * @param maxWatchers watchers streaming at once; more are refused with a line that says so
 */
public record LiveConfig(Optional<Path> socket, boolean enabled, int maxWatchers) {
    /** The socket's name in the output directory, by default. */
    public static final String SOCKET_NAME = "live.socket";
    public static final int DEFAULT_MAX_WATCHERS = 4;

    /** Where the socket goes for an output directory. */
    public Path socketIn(Path output) {
        return socket.orElse(output.resolve(SOCKET_NAME));
    }

    String describe() {
        return "live: {socket: " + (!enabled ? "off" : socket.map(Path::toString).orElse("<output>/" + SOCKET_NAME))
                + ", max-watchers: " + maxWatchers + "}";
    }
}
