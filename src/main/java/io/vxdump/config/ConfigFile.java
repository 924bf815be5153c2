package io.vxdump.config;

import io.vxdump.filter.Action;
import io.vxdump.filter.Cidr;
import io.vxdump.filter.FilterRule;
import io.vxdump.filter.Monitored;
import io.vxdump.filter.RuleBuilder;
import io.vxdump.filter.RuleNumbers;
import io.vxdump.filter.SessionFilter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Applies a YAML configuration file to a {@link ConfigBuilder}, strictly: an unknown key, a value
 * of the wrong type or out of range is an error naming the file, the line and the key.
 */
public final class ConfigFile {

    /** ADDRESS_OR_OFF: a string, or YAML 1.1's unquoted {@code off} (a boolean false to the parser). */
    private enum Type { INTEGER, SIZE, DURATION, STRING, BOOLEAN, ADDRESS_OR_OFF, PATH_OR_OFF }

    private record Field(Type type, BiConsumer<ConfigBuilder, String> setter) {
    }

    private static final Map<String, Field> TOP = fields(
            "listen", new Field(Type.STRING, ConfigBuilder::listen),
            "output", new Field(Type.STRING, ConfigBuilder::output),
            "post-rotate", new Field(Type.STRING, ConfigBuilder::postRotate),
            "post-rotate-timeout", new Field(Type.DURATION, ConfigBuilder::postRotateTimeout),
            "post-rotate-concurrency", new Field(Type.INTEGER, ConfigBuilder::postRotateConcurrency),
            "stop-timeout", new Field(Type.DURATION, ConfigBuilder::stopTimeout),
            "unknown-vni-expire", new Field(Type.DURATION, ConfigBuilder::unknownVniExpire),
            "unknown-vni", new Field(Type.STRING, ConfigBuilder::unknownVni),
            "max-sessions", new Field(Type.INTEGER, ConfigBuilder::maxSessions),
            "instance-id", new Field(Type.STRING, ConfigBuilder::instanceId),
            "metrics", new Field(Type.ADDRESS_OR_OFF, ConfigBuilder::metrics));
    private static final Map<String, Map<String, Field>> SECTIONS = Map.of(
            "receive", fields(
                    "threads", new Field(Type.INTEGER, ConfigBuilder::threads),
                    "socket-buffer", new Field(Type.SIZE, ConfigBuilder::socketBuffer),
                    "path", new Field(Type.STRING, ConfigBuilder::receivePath)),
            "staging", fields(
                    "ring-size", new Field(Type.SIZE, ConfigBuilder::ringSize),
                    "burst-size", new Field(Type.STRING, ConfigBuilder::burstSize)),
            "writer", fields(
                    "threads", new Field(Type.INTEGER, ConfigBuilder::writerThreads),
                    "buffer-memory", new Field(Type.SIZE, ConfigBuilder::blockMemory),
                    "block-size", new Field(Type.SIZE, ConfigBuilder::blockSize),
                    "direct-io", new Field(Type.STRING, ConfigBuilder::directIo),
                    "max-open-files", new Field(Type.STRING, ConfigBuilder::maxOpenFiles),
                    "sync-interval", new Field(Type.DURATION, ConfigBuilder::syncInterval)),
            "rotation", fields(
                    "max-size", new Field(Type.SIZE, ConfigBuilder::rotateSize),
                    "interval", new Field(Type.DURATION, ConfigBuilder::rotateInterval),
                    "max-packets", new Field(Type.INTEGER, ConfigBuilder::rotatePackets)),
            "retention", fields(
                    "max-files", new Field(Type.INTEGER, ConfigBuilder::keepFiles),
                    "max-bytes", new Field(Type.SIZE, ConfigBuilder::keepBytes),
                    "min-free", new Field(Type.STRING, ConfigBuilder::minFree),
                    "max-bytes-total", new Field(Type.SIZE, ConfigBuilder::maxBytesTotal)),
            "upload", fields(
                    "to", new Field(Type.STRING, ConfigBuilder::uploadTo),
                    "region", new Field(Type.STRING, ConfigBuilder::uploadRegion),
                    "endpoint", new Field(Type.STRING, ConfigBuilder::uploadEndpoint),
                    "path-style", new Field(Type.BOOLEAN, ConfigBuilder::uploadPathStyle),
                    "storage-class", new Field(Type.STRING, ConfigBuilder::uploadStorageClass),
                    "delete-after-upload", new Field(Type.BOOLEAN, ConfigBuilder::uploadDeleteAfter),
                    "concurrency", new Field(Type.INTEGER, ConfigBuilder::uploadConcurrency),
                    "part-size", new Field(Type.SIZE, ConfigBuilder::uploadPartSize),
                    "shutdown-timeout", new Field(Type.DURATION, ConfigBuilder::uploadShutdownTimeout),
                    "max-backlog-age", new Field(Type.DURATION, ConfigBuilder::uploadMaxBacklogAge)),
            "live", fields(
                    "socket", new Field(Type.PATH_OR_OFF, ConfigBuilder::liveSocket),
                    "max-watchers", new Field(Type.INTEGER, ConfigBuilder::liveMaxWatchers)),
            "health", fields(
                    "max-idle", new Field(Type.DURATION, ConfigBuilder::healthMaxIdle)),
            "pcap", fields(
                    "precision", new Field(Type.STRING, ConfigBuilder::precision),
                    "snaplen", new Field(Type.INTEGER, ConfigBuilder::snaplen)));
    private static final Set<String> SESSION_KEYS = Set.of("vni", "name", "snaplen", "monitored", "filter");
    private static final Set<String> FILTER_KEYS = Set.of("default-action", "rules");

    private final Path file;
    private final ConfigBuilder builder;

    private ConfigFile(Path file, ConfigBuilder builder) {
        this.file = file;
        this.builder = builder;
    }

    /** Reads {@code file} into {@code builder}. */
    public static void apply(Path file, ConfigBuilder builder) throws ConfigException {
        new ConfigFile(file, builder).apply(YamlReader.read(file));
    }

    private void apply(YamlNode root) throws ConfigException {
        YamlNode.Mapping top = mapping(root, "configuration");
        for (YamlNode.Entry e : top.entries().values()) {
            if (e.key().equals("listen") && e.value() instanceof YamlNode.Sequence) {
                builder.clearListen(); // a list: one listener per item
                for (YamlNode.Entry item : items(e, "listen")) {
                    set(item, item.key(), new Field(Type.STRING, ConfigBuilder::addListen));
                }
            } else if (TOP.containsKey(e.key())) {
                set(e, e.key(), TOP.get(e.key()));
            } else if (SECTIONS.containsKey(e.key())) {
                Map<String, Field> section = SECTIONS.get(e.key());
                for (YamlNode.Entry inner : mapping(e.value(), e.key()).entries().values()) {
                    String key = e.key() + "." + inner.key();
                    Field f = section.get(inner.key());
                    if (f == null) {
                        throw unknown(inner, key, section.keySet());
                    }
                    set(inner, key, f);
                }
            } else if (e.key().equals("sessions")) {
                sessions(e);
            } else if (e.key().equals("allow-sources")) {
                for (YamlNode.Entry item : items(e, "allow-sources")) {
                    set(item, item.key(), new Field(Type.STRING, ConfigBuilder::allowSource));
                }
            } else {
                Set<String> known = new java.util.TreeSet<>(TOP.keySet());
                known.addAll(SECTIONS.keySet());
                known.add("sessions");
                known.add("allow-sources");
                throw unknown(e, e.key(), known);
            }
        }
    }

    private void sessions(YamlNode.Entry e) throws ConfigException {
        List<YamlNode.Entry> sessionItems = items(e, "sessions");
        Map<Integer, Integer> vniLines = new HashMap<>();
        Map<String, Integer> nameLines = new HashMap<>();
        for (YamlNode.Entry item : sessionItems) {
            String where = item.key();
            YamlNode.Mapping m = mapping(item.value(), where);
            for (YamlNode.Entry k : m.entries().values()) {
                if (!SESSION_KEYS.contains(k.key())) {
                    throw unknown(k, where + "." + k.key(), SESSION_KEYS);
                }
            }
            YamlNode.Entry vniEntry = m.entries().get("vni");
            if (vniEntry == null) {
                throw ConfigException.at(file, m.line(), where, "a session needs a vni");
            }
            int vni = convert(vniEntry, where + ".vni", Type.INTEGER, ConfigBuilder::parseVni);
            YamlNode.Entry nameEntry = m.entries().get("name");
            String name = SessionConfig.defaultName(vni);
            int nameLine = m.line();
            if (nameEntry != null) {
                name = scalar(nameEntry, where + ".name", Type.STRING);
                nameLine = nameEntry.keyLine();
                String problem = SessionConfig.nameProblem(name, vni);
                if (problem != null) {
                    throw ConfigException.at(file, nameLine, where + ".name", problem);
                }
            }
            YamlNode.Entry snapEntry = m.entries().get("snaplen");
            Integer snaplen = snapEntry == null ? null
                    : convert(snapEntry, where + ".snaplen", Type.INTEGER, ConfigBuilder::parseSnaplen);
            Integer firstVni = vniLines.putIfAbsent(vni, vniEntry.keyLine());
            if (firstVni != null) {
                throw ConfigException.at(file, vniEntry.keyLine(), where + ".vni",
                        "VNI " + vni + " already has a session (line " + firstVni + ")");
            }
            Integer firstName = nameLines.putIfAbsent(name, nameLine);
            if (firstName != null) {
                throw ConfigException.at(file, nameLine, where + ".name",
                        "name '" + name + "' is already used (line " + firstName + ")");
            }
            builder.session(vni, name, snaplen, filter(m, where));
        }
    }

    /** The session's compiled filter: its monitored blocks, its rules, its default action. */
    private SessionFilter filter(YamlNode.Mapping session, String where) throws ConfigException {
        List<Cidr> monitored = new ArrayList<>();
        YamlNode.Entry monitoredEntry = session.entries().get("monitored");
        if (monitoredEntry != null) {
            for (YamlNode.Entry item : items(monitoredEntry, where + ".monitored")) {
                monitored.add(convert(item, item.key(), Type.STRING, Cidr::parse));
            }
        }
        YamlNode.Entry filterEntry = session.entries().get("filter");
        if (filterEntry == null) {
            return monitored.isEmpty() ? SessionFilter.KEEP_ALL
                    : new SessionFilter(Monitored.of(monitored), List.of(), Action.ACCEPT);
        }
        String key = where + ".filter";
        YamlNode.Mapping f = mapping(filterEntry.value(), key);
        for (YamlNode.Entry k : f.entries().values()) {
            if (!FILTER_KEYS.contains(k.key())) {
                throw unknown(k, key + "." + k.key(), FILTER_KEYS);
            }
        }
        YamlNode.Entry defaultEntry = f.entries().get("default-action");
        Action defaultAction = defaultEntry == null ? Action.REJECT
                : convert(defaultEntry, key + ".default-action", Type.STRING, Action::parse);
        List<FilterRule> rules = new ArrayList<>();
        YamlNode.Entry rulesEntry = f.entries().get("rules");
        if (rulesEntry != null) {
            RuleNumbers<Integer> numbers = new RuleNumbers<>();
            List<YamlNode.Entry> ruleNodes = items(rulesEntry, key + ".rules");
            for (YamlNode.Entry ruleNode : ruleNodes) {
                FilterRule rule = rule(ruleNode);
                Integer before = numbers.add(rule, ruleNode.value().line());
                if (before != null) {
                    throw ConfigException.at(file, ruleNode.value().line(), ruleNode.key(), "rule number " + rule.number()
                            + " is already used in that direction (line " + before + ")");
                }
                rules.add(rule);
            }
        }
        return new SessionFilter(Monitored.of(monitored), rules, defaultAction);
    }

    private FilterRule rule(YamlNode.Entry node) throws ConfigException {
        YamlNode.Mapping m = mapping(node.value(), node.key());
        RuleBuilder b = new RuleBuilder();
        for (YamlNode.Entry k : m.entries().values()) {
            String key = node.key() + "." + k.key();
            if (!RuleBuilder.KEYS.contains(k.key())) {
                throw unknown(k, key, new java.util.HashSet<>(RuleBuilder.KEYS));
            }
            Type type = k.key().equals("number") ? Type.INTEGER : Type.STRING;
            String text = scalar(k, key, type);
            try {
                b.set(k.key(), text);
            } catch (IllegalArgumentException e) {
                throw ConfigException.at(file, k.value().line(), key, e.getMessage());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw ConfigException.at(file, m.line(), node.key(), e.getMessage());
        }
    }

    /** The items of a list, each as an entry keyed {@code key[i]} for messages. */
    private List<YamlNode.Entry> items(YamlNode.Entry e, String key) throws ConfigException {
        if (!(e.value() instanceof YamlNode.Sequence list)) {
            throw ConfigException.at(file, e.value().line(), key, "expected a list, found " + e.value().typeName());
        }
        List<YamlNode.Entry> out = new ArrayList<>();
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            out.add(new YamlNode.Entry(key + "[" + i + "]", item.line(), item));
        }
        return out;
    }

    private void set(YamlNode.Entry e, String key, Field f) throws ConfigException {
        String text = scalar(e, key, f.type());
        try {
            f.setter().accept(builder, text);
        } catch (IllegalArgumentException | ArithmeticException ex) {
            throw ConfigException.at(file, e.value().line(), key, ex.getMessage());
        }
    }

    private <T> T convert(YamlNode.Entry e, String key, Type type, java.util.function.Function<String, T> parse)
            throws ConfigException {
        String text = scalar(e, key, type);
        try {
            return parse.apply(text);
        } catch (IllegalArgumentException ex) {
            throw ConfigException.at(file, e.value().line(), key, ex.getMessage());
        }
    }

    private String scalar(YamlNode.Entry e, String key, Type type) throws ConfigException {
        YamlNode v = e.value();
        if (v instanceof YamlNode.Scalar s) {
            boolean ok = switch (type) {
                case INTEGER -> s.kind() == YamlNode.Kind.INTEGER;
                case SIZE, DURATION, STRING -> s.kind() == YamlNode.Kind.INTEGER || s.kind() == YamlNode.Kind.STRING;
                case BOOLEAN -> s.kind() == YamlNode.Kind.BOOLEAN;
                case ADDRESS_OR_OFF, PATH_OR_OFF -> s.kind() == YamlNode.Kind.STRING
                        || (s.kind() == YamlNode.Kind.BOOLEAN && s.text().equalsIgnoreCase("off"));
            };
            if (ok) {
                return s.text();
            }
        }
        String expected = switch (type) {
            case INTEGER -> "a whole number";
            case SIZE -> "a size such as 128MiB";
            case DURATION -> "a duration such as 5m";
            case STRING -> "a string";
            case BOOLEAN -> "true or false";
            case ADDRESS_OR_OFF -> "HOST:PORT or off";
            case PATH_OR_OFF -> "a path or off";
        };
        throw ConfigException.at(file, v.line(), key, "expected " + expected + ", found " + v.typeName());
    }

    private YamlNode.Mapping mapping(YamlNode n, String key) throws ConfigException {
        if (n instanceof YamlNode.Mapping m) {
            return m;
        }
        throw ConfigException.at(file, n.line(), key, "expected a mapping, found " + n.typeName());
    }

    private ConfigException unknown(YamlNode.Entry e, String key, Set<String> known) {
        return ConfigException.at(file, e.keyLine(), key, "unknown key (known here: "
                + String.join(", ", new java.util.TreeSet<>(known)) + ")");
    }

    private static Map<String, Field> fields(Object... pairs) {
        Map<String, Field> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (Field) pairs[i + 1]);
        }
        return m;
    }
}
