package io.vxdump.cli;

import io.vxdump.fetch.ArchiveSource;
import io.vxdump.fetch.ArchivedFile;
import io.vxdump.fetch.Fetcher;
import io.vxdump.fetch.LocalArchive;
import io.vxdump.fetch.S3Archive;
import io.vxdump.fetch.Selection;
import io.vxdump.fetch.TimeWindow;
import io.vxdump.s3.S3Clients;
import io.vxdump.s3.S3Location;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code vxdump fetch SOURCE... [--session NAME]... --from T --to T [FILTER] -w FILE|-}: one
 * time-ordered pcap of the packets several instances' archives hold for a window. Exit 0; 1 when a
 * file could not be read (or read whole), unless {@code --ignore-unreadable}; 2 for a mistake in
 * the command (a time, a filter, a source).
 */
@Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Write one time-ordered pcap of what the archive holds for a time window: sessions, "
                + "instances and files merged by timestamp, filtered with a tcpdump expression.")
final class FetchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE... [FILTER]", arity = "1..*",
            description = "Archives: s3://BUCKET/PREFIX (what upload: writes) and/or output directories of vxdump "
                    + "(or copies of several instances' directories); then optionally a filter expression as tcpdump "
                    + "takes it (e.g. host 10.0.1.5 and tcp port 443).")
    List<String> words;
    @Option(names = "--session", paramLabel = "NAME", description = "A session to fetch (repeat for more; default all).")
    List<String> sessions = new ArrayList<>();
    @Option(names = "--from", required = true, paramLabel = "TIME",
            description = "Start of the window, inclusive: RFC 3339 (2026-12-01T10:02:00Z), now, or -15m, -2h, -1d.")
    String from;
    @Option(names = "--to", paramLabel = "TIME", defaultValue = "now", description = "End of the window, exclusive (default now).")
    String to;
    @Option(names = "-w", paramLabel = "FILE|-", description = "Where the pcap goes: a file, or - for stdout (needed unless --list).")
    String write;
    @Option(names = "--list", description = "Print the files that would be read, and stop.")
    boolean list;
    @Option(names = "--lookback", paramLabel = "DURATION", defaultValue = "1d",
            description = "Files that started this long before --from are still looked at (default 1d).")
    String lookback;
    @Option(names = "--ignore-unreadable", description = "Exit 0 even when some files could not be read.")
    boolean ignoreUnreadable;
    @Option(names = "--region", paramLabel = "REGION", description = "The bucket's region (default: the SDK's chain, "
            + "e.g. AWS_REGION or the instance's).")
    String region;
    @Option(names = "--endpoint", paramLabel = "URL", description = "An S3-compatible store's endpoint (default AWS).")
    String endpoint;
    @Option(names = "--path-style", description = "Path-style requests (endpoint/bucket/key), as most S3-compatible stores want.")
    boolean pathStyle;
    @Option(names = "--parallel", paramLabel = "N", defaultValue = "8",
            description = "Objects downloaded at once, ahead of the merge (default 8).")
    int parallel;

    @Override
    public Integer call() throws Exception {
        if (write == null && !list) {
            throw new ParameterException(spec.commandLine(), "-w FILE (or -w - for stdout) is needed, or --list");
        }
        if (parallel < 1 || parallel > 256) {
            throw new ParameterException(spec.commandLine(), "--parallel: " + parallel + " is not 1..256");
        }
        List<ArchiveSource> sources = new ArrayList<>();
        int i = 0;
        for (; i < words.size() && isSource(words.get(i)); i++) {
            sources.add(source(words.get(i)));
        }
        if (sources.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "'" + words.get(0) + "' is not a directory or s3://BUCKET/PREFIX: "
                    + "give at least one source before the filter");
        }
        try {
            return fetch(sources, i);
        } finally {
            for (ArchiveSource source : sources) {
                source.close();
            }
        }
    }

    private Integer fetch(List<ArchiveSource> sources, int i) throws Exception {
        String filter = String.join(" ", words.subList(i, words.size()));
        Instant now = Instant.now();
        TimeWindow window;
        long lookbackSeconds;
        try {
            window = new TimeWindow(parse("--from", from, now), parse("--to", to, now));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            lookbackSeconds = lookback.matches("\\d+d") ? Long.parseLong(lookback.substring(0, lookback.length() - 1)) * 86_400
                    : io.vxdump.config.Units.parseDurationSeconds(lookback);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--lookback: " + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        List<Selection> selections = new ArrayList<>();
        for (ArchiveSource source : sources) {
            try {
                selections.add(source.select(new LinkedHashSet<>(sessions), window, lookbackSeconds));
            } catch (IOException e) {
                err.println("vxdump: " + e.getMessage());
                return Main.EXIT_FAILURE;
            }
        }
        Selection selection = Selection.union(selections);
        for (String p : selection.unreadable()) {
            err.println("vxdump: " + p + ": not a file type fetch reads (.pcap, .pcap.gz); skipped");
        }
        if (list) {
            for (ArchivedFile f : selection.files()) {
                System.out.println(f.location());
            }
            return selection.unreadable().isEmpty() || ignoreUnreadable ? 0 : Main.EXIT_FAILURE;
        }
        OutputStream opened;
        try {
            opened = write.equals("-") ? System.out : Files.newOutputStream(Path.of(write),
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            err.println("vxdump: -w " + write + ": cannot be written (" + e.getClass().getSimpleName()
                    .replace("Exception", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase() + ")");
            return Main.EXIT_USAGE;
        }
        for (ArchiveSource source : sources) {
            source.prepare(selection.files().stream().filter(f -> f.source() == source).toList());
        }
        Fetcher.Summary summary;
        FetchProgress progress = new FetchProgress(err, Terminal.stderr(), selection.files().size(), sources);
        try (OutputStream out = opened) {
            summary = Fetcher.fetch(selection.files(), window, filter, out, progress);
        } catch (IllegalArgumentException e) {
            progress.clear();
            err.println("vxdump: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        progress.clear();
        StringBuilder transferred = new StringBuilder();
        for (ArchiveSource source : sources) {
            if (!source.transferred().isEmpty()) {
                transferred.append(transferred.length() == 0 ? " (" : "; ").append(source.transferred());
            }
        }
        err.println("vxdump fetch: " + summary.packets() + " packet(s) from " + summary.files() + " file(s) of "
                + selection.files().size() + " selected" + (transferred.length() == 0 ? "" : transferred + ")") + ", "
                + window + (filter.isBlank() ? "" : ", filter '" + filter + "'") + (summary.pcapng() ? ", pcapng" : ""));
        boolean whole = summary.warnings() == 0 && selection.unreadable().isEmpty();
        return whole || ignoreUnreadable ? 0 : Main.EXIT_FAILURE;
    }

    private static boolean isSource(String word) {
        return S3Location.looksLike(word) || Files.isDirectory(Path.of(word));
    }

    /** A directory, or an S3 archive with the command's client options. */
    private ArchiveSource source(String word) {
        if (!S3Location.looksLike(word)) {
            return new LocalArchive(Path.of(word));
        }
        S3Location where;
        java.util.Optional<java.net.URI> uri = java.util.Optional.empty();
        try {
            where = S3Location.parse(word);
            if (endpoint != null) {
                uri = java.util.Optional.of(java.net.URI.create(endpoint));
                if (uri.get().getScheme() == null || uri.get().getHost() == null) {
                    throw new IllegalArgumentException("--endpoint: '" + endpoint + "' is not a URL (http://host:port)");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        String tmp = System.getenv().getOrDefault("TMPDIR", System.getProperty("java.io.tmpdir"));
        Path spool = Path.of(tmp).resolve("vxdump-fetch-" + ProcessHandle.current().pid() + "-" + sourceCount++);
        // Downloads of up to 128 MiB objects at 1 MiB/s at least; a stalled connection is closed sooner.
        software.amazon.awssdk.services.s3.S3AsyncClient client;
        try {
            client = S3Clients.async(java.util.Optional.ofNullable(region), uri, pathStyle, java.time.Duration.ofMinutes(5),
                    b -> { });
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            throw new ParameterException(spec.commandLine(), word + ": no region: give --region, or set AWS_REGION, "
                    + "or run on EC2 where the instance's metadata gives it");
        }
        return new S3Archive(where, client, spool, parallel);
    }

    private int sourceCount;

    private static long parse(String option, String text, Instant now) {
        try {
            return TimeWindow.parse(text, now);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }
}
