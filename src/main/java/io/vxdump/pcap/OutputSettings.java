package io.vxdump.pcap;

import java.nio.file.Path;
import java.util.Optional;

/** Everything the writer and finisher need to know about files, the same for every session. */
public record OutputSettings(Path directory, Precision precision, RotationPolicy rotation,
                             Retention retention, Optional<String> postRotate) {
}
