package io.vxdump.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.filter.SessionFilter;
import io.vxdump.pcap.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {
    /** The example from the README, verbatim. */
    static final String EXAMPLE = """
            listen: 0.0.0.0:4789                           # or a list: [0.0.0.0:4789, "geneve:0.0.0.0:6081"]
            output: /var/lib/vxdump/captures
            receive: {threads: 2, socket-buffer: 64MiB, path: auto}     # socket-buffer: SO_RCVBUF asked for (ring: its size); path: auto, socket or ring (below)
            staging: {ring-size: 64MiB, burst-size: auto}  # per receive thread and writer; see "Memory and loss"
            live: {max-watchers: 4}                         # socket: <output>/live.socket by default, an absolute path, or off
            writer: {threads: 1, buffer-memory: 64MiB, block-size: 512KiB, direct-io: auto, max-open-files: auto, sync-interval: 100ms}
            rotation: {max-size: 128MiB, interval: 5m, max-packets: 0}   # the defaults
            retention: {max-files: 0, max-bytes: 0, min-free: 5%, max-bytes-total: 0}   # see "Retention"
            pcap: {precision: micro, snaplen: 0}           # snaplen 0 = whole frame
            post-rotate: "gzip -9"                          # optional; the finished file's path is appended
            unknown-vni: capture                            # capture: a session vni-<N> per new VNI; drop: count and drop
            max-sessions: 1024                              # sessions made for unknown VNIs beyond this are dropped and counted
            sessions:
              - {vni: 100, name: web-proxy}                 # name: [A-Za-z0-9._-]{1,64}; default vni-<N>
              - {vni: 5569041, name: backend, snaplen: 256}
            """;

    @TempDir
    Path dir;

    private ServeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private String error(String yaml) {
        return ConfigFiles.error(dir, yaml);
    }

    @Test
    void theDocumentedExampleLoads() throws Exception {
        ServeConfig c = load(EXAMPLE);
        assertEquals(4789, c.listen().get(0).address().getPort());
        assertEquals(Path.of("/var/lib/vxdump/captures"), c.output());
        assertEquals(2, c.threads());
        assertEquals(64L << 20, c.socketBuffer());
        assertEquals(ReceivePath.AUTO, c.receivePath());
        assertEquals(new WriteConfig(64L << 20, WriteConfig.AUTO_BURST, 1, 64L << 20, 512 << 10, io.vxdump.pcap.WriteMode.Choice.AUTO, 0,
                100), c.write());
        assertEquals(128L << 20, c.rotation().maxBytes());
        assertEquals(300_000_000_000L, c.rotation().intervalNanos());
        assertEquals(Precision.MICRO, c.precision());
        assertEquals(Optional.of("gzip -9"), c.postRotate());
        assertEquals(UnknownVni.CAPTURE, c.unknownVni());
        assertEquals(List.of(new SessionConfig(100, "web-proxy", 0, SessionFilter.KEEP_ALL), new SessionConfig(5569041, "backend", 256, SessionFilter.KEEP_ALL)),
                c.sessions());
    }

    @Test
    void anEmptyFileMeansTheDefaults() throws Exception {
        ServeConfig c = load("");
        assertEquals(4789, c.listen().get(0).address().getPort());
        assertEquals(Path.of("captures"), c.output());
        assertEquals(UnknownVni.CAPTURE, c.unknownVni());
        assertTrue(c.sessions().isEmpty());
    }

    @Test
    void sessionsInheritTheGlobalSnaplenAndDefaultNames() throws Exception {
        ServeConfig c = load("pcap: {snaplen: 128}\nsessions:\n  - vni: 7\n  - {vni: 8, snaplen: 0}\n");
        assertEquals(List.of(new SessionConfig(7, "vni-7", 128, SessionFilter.KEEP_ALL), new SessionConfig(8, "vni-8", 0, SessionFilter.KEEP_ALL)), c.sessions());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            listen: 0.0.0.0:4789\\nbogus: 1                 | :2: bogus: unknown key
            receive: {threads: 2, speed: 3}                  | :1: receive.speed: unknown key
            receive: {threads: two}                          | :1: receive.threads: expected a whole number, found a string
            receive: {threads: 0}                            | :1: receive.threads: 0 is not in 1..64
            receive: 4                                       | :1: receive: expected a mapping, found a whole number
            rotation: {max-size: 12 parsecs}                 | :1: rotation.max-size: '12 parsecs' is not a size
            rotation: {interval: 5}                          | :1: rotation.interval: '5' is not a duration
            rotation: {max-size: [1]}                        | :1: rotation.max-size: expected a size such as 128MiB, found a list
            pcap: {precision: pico}                          | :1: pcap.precision: 'pico' is not a precision
            pcap: {snaplen: 8}                               | :1: pcap.snaplen: snaplen 8 would cut the Ethernet header
            unknown-vni: keep                                | :1: unknown-vni: 'keep' is not capture or drop
            listen: nowhere                                  | :1: listen: 'nowhere' is not HOST:PORT
            listen: 1.2.3.4:99999                            | :1: listen: '1.2.3.4:99999': the port is not in 0..65535
            listen: 'gre:1.2.3.4:99'                         | :1: listen: 'gre:1.2.3.4:99': the encapsulation is vxlan: or geneve:
            listen:\\n  - 0.0.0.0:4789\\n  - "geneve:x"      | :3: listen[1]: 'x' is not HOST:PORT
            listen: ['0.0.0.0:4789', 'geneve:0.0.0.0:4789']  | :1: listen[1]: 'geneve:0.0.0.0:4789': port 4789 is already a listener
            sessions: {vni: 1}                               | :1: sessions: expected a list, found a mapping
            sessions:\\n  - {name: x}                       | :2: sessions[0]: a session needs a vni
            sessions:\\n  - {vni: 16777216}                 | :2: sessions[0].vni: 16777216 is not in 0..16777215
            sessions:\\n  - {vni: 1, nmae: x}               | :2: sessions[0].nmae: unknown key
            sessions:\\n  - {vni: 1, name: 'a/b'}           | :2: sessions[0].name: 'a/b' is not a session name
            sessions:\\n  - {vni: 1, name: '..'}            | :2: sessions[0].name: '..' is not a session name
            sessions:\\n  - {vni: 1, name: vni-2}           | :2: sessions[0].name: 'vni-2' is reserved
            sessions:\\n  - {vni: 1}\\n  - {vni: 1}        | :3: sessions[1].vni: VNI 1 already has a session (line 2)
            sessions:\\n  - {vni: 1, name: a}\\n  - {vni: 2, name: a} | :3: sessions[1].name: name 'a' is already used (line 2)
            output: /x\\noutput: /y                         | :2: output: given twice
            listen: [unclosed                                | :1:18: not valid YAML
            writer: {direct-io: sometimes}                   | :1: writer.direct-io: 'sometimes' is not auto, on or off
            receive: {path: xdp}                             | :1: receive.path: 'xdp' is not auto, socket or ring
            writer: {block-size: 100KiB}                     | :1: writer.block-size: '100KiB' is not a multiple of 64KiB
            writer: {threads: 0}                             | :1: writer.threads: 0 is not in 1..16
            writer: {max-open-files: 3}                      | :1: writer.max-open-files: 3 is not in 16..1048576
            staging: {ring-size: 4KiB}                       | :1: staging.ring-size: '4KiB' is not in 1MiB..1GiB
            staging: {buffer-size: 256KiB}                   | :1: staging.buffer-size: unknown key
            live: {socket: run/live.socket}                  | :1: live.socket: 'run/live.socket' is not an absolute path or off
            live: {max-watchers: 0}                          | :1: live.max-watchers: 0 is not in 1..64
            staging: {burst-size: lots}                      | :1: staging.burst-size: 'lots' is not a size (a number with B, KiB, MiB, GiB or TiB)
            staging: {burst-size: 16GiB}                     | :1: staging.burst-size: '16GiB' is not in 1MiB..8GiB
            upload: {to: http://x/y}                         | :1: upload.to: 'http://x/y' is not s3://BUCKET/PREFIX
            upload: {to: s3://A_B/y}                         | :1: upload.to: 's3://A_B/y': 'A_B' is not a bucket name
            upload: {region: moon}                           | :1: upload.region: 'moon' is not an AWS region such as eu-west-1
            upload: {storage-class: FAST}                    | :1: upload.storage-class: 'FAST' is not an S3 storage class
            upload: {path-style: yes-please}                 | :1: upload.path-style: expected true or false
            upload: {concurrency: 0}                         | :1: upload.concurrency: 0 is not in 1..64
            upload: {part-size: 1MiB}                        | :1: upload.part-size: '1MiB' is not in 5MiB..5GiB
            retention: {min-free: 120%}                      | :1: retention.min-free: '120%' is not a percentage in 0..99%
            retention: {min-free: lots%}                     | :1: retention.min-free: 'lots%' is not a percentage such as 10%
            retention: {min-free: lots}                      | :1: retention.min-free:
            retention: {max-bytes-total: -1}                 | :1: retention.max-bytes-total:
            """)
    void errorsNameTheFileLineAndKey(String yaml, String expected) {
        String message = error(yaml.replace("\\n", "\n"));
        assertTrue(message.startsWith(dir.resolve("vxdump.yaml").toString()), message);
        assertTrue(message.contains(expected), message + " should contain " + expected);
    }

    @Test
    void aMissingFileIsOneLine() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigFile.apply(dir.resolve("absent.yaml"), new ConfigBuilder()));
        assertEquals(dir.resolve("absent.yaml") + ": no such file", e.getMessage());
    }

    @Test
    void describeShowsTheEffectiveSettings() throws Exception {
        String text = load(EXAMPLE).describe();
        assertTrue(text.contains("rotation: {max-size: 128MiB, interval: 5m, max-packets: 0}"), text);
        assertTrue(text.contains("  - {vni: 5569041, name: backend, snaplen: 256}"), text);
        assertTrue(text.contains("any other VNI N: session vni-N"), text);
        assertTrue(text.contains("writer: {threads: 1, buffer-memory: 64MiB, block-size: 512KiB, direct-io: auto, "
                + "max-open-files: auto, sync-interval: 100ms}"), text);
        assertTrue(text.contains("staging: {ring-size: 64MiB, burst-size: auto}"), text);
        assertTrue(text.contains("live: {socket: <output>/live.socket, max-watchers: 4}"), text);
        assertTrue(load("live: {socket: off}").describe().contains("live: {socket: off, max-watchers: 4}"));
        assertEquals(Path.of("/run/vxdump/live.socket"), load("live: {socket: /run/vxdump/live.socket, max-watchers: 2}").live()
                .socketIn(Path.of("/x")));
        assertTrue(text.contains("min-free: 5%, max-bytes-total: 0}"), "a 5 % floor by default: " + text);
    }

    @Test
    void theFreeSpaceFloorIsBytesOrAPercentage() throws Exception {
        var bytes = load("retention: {min-free: 20GiB, max-bytes-total: 1TiB}").storage();
        assertEquals(new io.vxdump.archive.StorageLimits(20L << 30, 0, 1L << 40), bytes);
        var percent = load("retention: {min-free: 12.5%}").storage();
        assertEquals(new io.vxdump.archive.StorageLimits(0, 12.5, 0), percent);
        assertEquals(1L << 37, percent.floor(1L << 40));
        assertTrue(load("retention: {min-free: 0}").storage().unlimited(), "0 turns the floor off");
    }

    @Test
    void listenTakesOneAddressOrAListEachWithItsEncapsulation() throws Exception {
        assertEquals(List.of(new Listener(io.vxdump.packet.Encapsulation.VXLAN, HostPort.parse("127.0.0.1:4789"))),
                load("listen: 127.0.0.1:4789").listen());
        ServeConfig both = load("""
                listen:
                  - 0.0.0.0:4789
                  - geneve:0.0.0.0:6081
                  - 'vxlan:[::1]:4790'
                """);
        assertEquals(List.of("vxlan:0.0.0.0:4789", "geneve:0.0.0.0:6081", "vxlan:[::1]:4790"),
                both.listen().stream().map(Listener::format).toList());
        assertTrue(both.describe().contains("listen: [vxlan:0.0.0.0:4789, geneve:0.0.0.0:6081,"), both.describe());
    }

    @Test
    void uploadTakesATargetAndItsOptions() throws Exception {
        var u = load("""
                upload:
                  to: s3://acme-captures/sensors/eu/
                  region: eu-west-1
                  endpoint: http://127.0.0.1:9000
                  path-style: true
                  storage-class: standard_ia
                  delete-after-upload: true
                  concurrency: 8
                  part-size: 32MiB
                  shutdown-timeout: 1m
                  max-backlog-age: 2h
                """).upload().orElseThrow();
        assertEquals("acme-captures", u.bucket());
        assertEquals("sensors/eu", u.prefix());
        assertEquals(Optional.of("eu-west-1"), u.region());
        assertEquals("http://127.0.0.1:9000", u.endpoint().orElseThrow().toString());
        assertTrue(u.pathStyle() && u.deleteAfterUpload());
        assertEquals(Optional.of("STANDARD_IA"), u.storageClass());
        assertEquals(8, u.concurrency());
        assertEquals(32L << 20, u.partSize());
        assertEquals(60, u.shutdownSeconds());
        assertEquals(7200, u.maxBacklogSeconds());
        assertTrue(load("").upload().isEmpty(), "off unless asked for");
        assertTrue(load("upload: {to: s3://b-1}").describe().contains("upload: {to: s3://b-1, region: default"));
    }
}
