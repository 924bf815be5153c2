package io.vxdump.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user meets it: exit statuses and one-line errors. */
class CommandLineTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream savedOut;
    private PrintStream savedErr;

    @BeforeEach
    void capture() {
        savedOut = System.out;
        savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(savedOut);
        System.setErr(savedErr);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void checkConfigPrintsTheEffectiveSettings() throws Exception {
        Path f = dir.resolve("ok.yaml");
        Files.writeString(f, "sessions:\n  - {vni: 100, name: web-proxy}\n");
        assertEquals(0, Main.run("check-config", f.toString()));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("  - {vni: 100, name: web-proxy, snaplen: 0}"), text);
        assertTrue(text.contains("listen: vxlan:0.0.0.0:4789"), text);
    }

    @Test
    void checkConfigRejectsABadFileWithOneLineAndStatus2() throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "listen: 0.0.0.0:4789\nrotation:\n  max-size: lots\n");
        assertEquals(2, Main.run("check-config", f.toString()));
        assertEquals("vxdump: " + f + ":3: rotation.max-size: 'lots' is not a size (a number with B, KiB, MiB, GiB or TiB)\n",
                err());
    }

    @Test
    void aBadFlagNamesTheFlag() {
        assertEquals(2, Main.run("serve", "--rotate-interval", "5 fortnights"));
        String e = err();
        assertTrue(e.startsWith("vxdump: --rotate-interval: '5 fortnights' is not a duration"), e);
        assertFalse(e.contains("\tat "), "no stack trace");
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        assertEquals(2, Main.run("serve", "--frobnicate"));
        assertTrue(err().startsWith("vxdump: Unknown option: '--frobnicate'"), err());
    }

    @Test
    void serveWithAMissingConfigFileIsOneLine() {
        assertEquals(2, Main.run("serve", "--config", dir.resolve("nope.yaml").toString()));
        assertEquals("vxdump: " + dir.resolve("nope.yaml") + ": no such file\n", err());
    }

    @Test
    void checkConfigAcceptsTheGoldenBankExamplesAndPrintsTheirRuleTables() {
        assertEquals(0, Main.run("check-config", "examples/goldenbank-app1.yaml"));
        assertEquals(0, Main.run("check-config", "examples/goldenbank-app2.yaml"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("  100 inbound  reject tcp    0.0.0.0/0 -> 10.0.0.0/16 port 443  # Drop HTTPS"), text);
        assertTrue(text.contains("  100 outbound reject tcp    10.0.0.0/16 -> 10.0.0.0/16 port 2049"), text);
        assertTrue(text.contains("  100 outbound reject tcp    10.0.0.0/16 port 2049 -> 10.0.0.0/16"), text);
        assertTrue(text.contains("  100 inbound  reject tcp    0.0.0.0/0 -> 10.1.0.0/16 port 443  # Drop HTTPS"), text);
    }

    @Test
    void aBadRuleOnTheCommandLineNamesTheFlag() {
        assertEquals(2, Main.run("serve", "--rule", "100 inbound reject protocol=icmp destination-port=80"));
        assertEquals("vxdump: --rule: ports need protocol tcp or udp, not icmp\n", err());
        err.reset();
        assertEquals(2, Main.run("serve", "--allow-source", "10.0.0.0/40"));
        assertEquals("vxdump: --allow-source: '10.0.0.0/40': the prefix length is not in 0..32\n", err());
    }

    @Test
    void anUnknownCommandIsNamedWithTheCommandsThereAre() {
        assertEquals(2, Main.run("bogus"));
        assertEquals("vxdump: unknown command 'bogus' (commands: serve, replay, fetch, tail, extcap, check-config, version, help)\n"
                + "try 'vxdump help'\n", err());
    }

    @Test
    void aSubcommandsUsageHintNamesItOnce() {
        assertEquals(2, Main.run("serve", "--bogus"));
        assertTrue(err().endsWith("try 'vxdump serve --help'\n"), err());
    }

    @Test
    void helpVersionAndServeHelpPrintWithoutWarnings() {
        assertEquals(0, Main.run("help"));
        assertEquals(0, Main.run("help", "serve"));
        assertEquals(0, Main.run("version", "--help"));
        assertEquals(0, Main.run("serve", "--help"));
        assertEquals("", err());
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("Commands:") && text.contains("5%;") && !text.contains("5%%"), text);
        assertTrue(text.contains("Usage: vxdump version"), text);
    }
}
