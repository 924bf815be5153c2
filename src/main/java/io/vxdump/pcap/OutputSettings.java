package io.vxdump.pcap;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything the writer and finisher need to know about files, the same for every session.
 *
 * @param instanceId this instance's id in file names, so files of several instances never collide
 *                   when collected in one place; empty leaves it out
 */
public record OutputSettings(Path directory, Precision precision, RotationPolicy rotation,
                             Retention retention, Optional<String> postRotate, String instanceId) {

    /** Settings without an instance id in the file names. */
    public OutputSettings(Path directory, Precision precision, RotationPolicy rotation, Retention retention,
                          Optional<String> postRotate) {
        this(directory, precision, rotation, retention, postRotate, "");
    }

    /** What this instance's files of {@code session} begin with: {@code <session>[-<instance>]}. */
    public String filePrefix(String session) {
        return instanceId.isEmpty() ? session : session + "-" + instanceId;
    }
}
