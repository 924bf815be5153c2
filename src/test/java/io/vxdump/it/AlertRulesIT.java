package io.vxdump.it;

import static io.vxdump.testing.Frames.vxlan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vxdump.testing.DaemonProcess;
import io.vxdump.testing.Frames;
import io.vxdump.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/vxdump-alerts.yml: valid for Prometheus ({@code promtool check rules}), behaving as its
 * unit tests say ({@code promtool test rules}), and naming only metrics a running vxdump exports.
 * deploy/vxdump-dashboard.json: every query valid PromQL (checked by promtool as recording rules)
 * and naming only metrics a running vxdump exports.
 */
class AlertRulesIT {
    private static final Path RULES = Path.of("deploy/vxdump-alerts.yml");
    private static final Path RULE_TESTS = Path.of("src/test/resources/promtool/vxdump-alerts.test.yml");
    private static final Path DASHBOARD = Path.of("deploy/vxdump-dashboard.json");

    @TempDir
    Path dir;

    @Test
    void theRulesPassPromtoolsCheckAndTheirUnitTests() throws Exception {
        Requirements.require(Requirements.sh("promtool", "--version") == 0, "promtool (Debian package prometheus) is missing");
        assertEquals("", promtool("check", "rules", RULES.toString()).orElse(""), "promtool check rules");
        assertEquals("", promtool("test", "rules", RULE_TESTS.toString()).orElse(""), "promtool test rules");
    }

    @Test
    void everyAlertLinksARunbookThatExists() throws Exception {
        String rules = Files.readString(RULES);
        String readme = Files.readString(Path.of("README.md"));
        Matcher alert = Pattern.compile("- alert: (\\w+)\\n(?:(?!- alert:)[\\s\\S])*?runbook_url: \"[^\"]*README\\.md#(\\w+)\"")
                .matcher(rules);
        int linked = 0;
        while (alert.find()) {
            linked++;
            assertEquals(alert.group(1).toLowerCase(java.util.Locale.ROOT), alert.group(2), "the anchor of " + alert.group(1));
            assertTrue(readme.contains("\n#### " + alert.group(1) + "\n"), "README has the runbook of " + alert.group(1));
        }
        assertEquals(rules.split("- alert: ", -1).length - 1, linked, "every alert links its runbook");
        assertTrue(!rules.contains("job=\""), "no scrape job is named");
    }

    /** The dashboard's queries (panels' and variables'), with Grafana's variables given values. */
    private static List<String> dashboardQueries() throws Exception {
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> queries = new java.util.ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode panel : root.path("panels")) {
            if (!panel.path("type").asText().equals("row")) {
                assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), "panel datasource: " + panel.path("title"));
            }
            for (com.fasterxml.jackson.databind.JsonNode target : panel.path("targets")) {
                queries.add(target.path("expr").asText());
            }
        }
        for (com.fasterxml.jackson.databind.JsonNode variable : root.path("templating").path("list")) {
            String q = variable.path("definition").asText();
            Matcher lv = Pattern.compile("label_values\\((.*), *\\w+\\)").matcher(q);
            if (lv.matches()) {
                queries.add(lv.group(1));
            }
        }
        return queries.stream().map(q -> q.replace("$__rate_interval", "5m").replace("$instance", ".*")
                .replace("$session", ".*")).toList();
    }

    @Test
    void theDashboardsQueriesAreValidPromql() throws Exception {
        Requirements.require(Requirements.sh("promtool", "--version") == 0, "promtool (Debian package prometheus) is missing");
        List<String> queries = dashboardQueries();
        assertTrue(queries.size() >= 20, "panels with queries: " + queries.size());
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            rules.append("      - record: dashboard:query_").append(i).append("\n        expr: '")
                    .append(queries.get(i).replace("'", "''")).append("'\n");
        }
        Path file = Files.writeString(dir.resolve("dashboard-rules.yml"), rules);
        assertEquals("", promtool("check", "rules", file.toString()).orElse(""), "promtool check rules on the dashboard's queries");
    }

    @Test
    void everyMetricTheRulesAndTheDashboardUseIsExported() throws Exception {
        Set<String> used = new TreeSet<>();
        Matcher m = Pattern.compile("\\bvxdump_[a-z_]+").matcher(Files.readString(RULES));
        while (m.find()) {
            used.add(m.group());
        }
        assertTrue(used.size() >= 6, "the rules use vxdump's metrics: " + used);
        Set<String> usedByDashboard = new TreeSet<>();
        for (String q : dashboardQueries()) {
            Matcher names = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{|$)").matcher(q);
            while (names.find()) {
                usedByDashboard.add(names.group(1));
            }
        }
        assertTrue(usedByDashboard.size() >= 15, "the dashboard's metrics: " + usedByDashboard);
        used.addAll(usedByDashboard);
        // Uploads on (to a store nobody answers at), so their meters are exported too.
        DaemonProcess d = DaemonProcess.start(dir, "--listen", "127.0.0.1:0", "--output", "out",
                "--upload", "s3://nowhere-bucket/x", "--config", uploadConfig().toString());
        try (d) {
            d.send(List.of(vxlan(1, Frames.sized(100, 1))));
            Thread.sleep(1200); // the session's meters are registered within a second
            String exposition = d.http("/metrics", null).getValue();
            Set<String> exported = new TreeSet<>();
            for (String line : exposition.split("\n")) {
                if (line.startsWith("# TYPE ")) { // a family without samples yet (no upload failed) counts too
                    String name = line.split(" ")[2];
                    exported.add(name);
                    exported.add(name + "_total");
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    exported.add(line.split("[{ ]", 2)[0]);
                }
            }
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(exported);
            assertEquals(Set.of(), missing, "metrics the rules or the dashboard name that vxdump does not export");
            assertEquals(0, d.terminate(10));
        }
    }

    private Path uploadConfig() throws java.io.IOException {
        return Files.writeString(dir.resolve("vxdump.yaml"),
                "upload: {endpoint: http://127.0.0.1:9, region: us-east-1, path-style: true, shutdown-timeout: 1s}\n");
    }

    /** Runs promtool; empty when it succeeded, else its output. */
    private static java.util.Optional<String> promtool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool finished");
        return p.exitValue() == 0 ? java.util.Optional.empty() : java.util.Optional.of(out);
    }
}
