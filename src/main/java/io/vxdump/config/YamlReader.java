package io.vxdump.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads a YAML file into a {@link YamlNode} tree with lines, rejecting duplicate keys. */
final class YamlReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlReader() {
    }

    /** The document's root, or an empty mapping for an empty file. */
    static YamlNode read(Path file) throws ConfigException {
        try (JsonParser p = FACTORY.createParser(file.toFile())) {
            JsonToken t = p.nextToken();
            if (t == null) {
                return new YamlNode.Mapping(1, Map.of());
            }
            return node(p, t, file);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new ConfigException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new ConfigException(syntaxError(file, e));
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
    }

    /**
     * {@code FILE:LINE:COLUMN: not valid YAML: PROBLEM (CONTEXT at L:C)}: where the parser gave up and
     * what it was reading, from SnakeYAML's marks (Jackson's message is only the context's first line).
     */
    static String syntaxError(Path file, JsonProcessingException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
            var at = m.getProblemMark();
            String problem = m.getProblem() == null ? "" : m.getProblem().strip();
            if (problem.contains("(TAB)")) {
                problem = "a tab; YAML indents with spaces only";
            }
            String context = "";
            if (m.getContext() != null) {
                var from = m.getContextMark();
                context = " (" + m.getContext() + (from == null ? "" : " from " + (from.getLine() + 1) + ":"
                        + (from.getColumn() + 1)) + ")";
            }
            return file + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1) + ": not valid YAML: " + problem + context;
        }
        int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
        int column = e.getLocation() == null ? 0 : e.getLocation().getColumnNr();
        return file + ":" + line + ":" + column + ": not valid YAML: "
                + e.getOriginalMessage().lines().findFirst().orElse("").strip();
    }

    private static YamlNode node(JsonParser p, JsonToken t, Path file) throws IOException, ConfigException {
        int line = p.currentTokenLocation().getLineNr();
        switch (t) {
            case START_OBJECT -> {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                while ((t = p.nextToken()) != JsonToken.END_OBJECT) {
                    String key = p.currentName();
                    int keyLine = p.currentTokenLocation().getLineNr();
                    YamlNode value = node(p, p.nextToken(), file);
                    if (entries.put(key, new YamlNode.Entry(key, keyLine, value)) != null) {
                        throw ConfigException.at(file, keyLine, key, "given twice");
                    }
                }
                return new YamlNode.Mapping(line, entries);
            }
            case START_ARRAY -> {
                List<YamlNode> items = new ArrayList<>();
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    items.add(node(p, t, file));
                }
                return new YamlNode.Sequence(line, items);
            }
            case VALUE_NUMBER_INT -> {
                return new YamlNode.Scalar(line, p.getText(), YamlNode.Kind.INTEGER);
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YamlNode.Scalar(line, p.getText(), YamlNode.Kind.NUMBER);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YamlNode.Scalar(line, p.getText(), YamlNode.Kind.BOOLEAN);
            }
            case VALUE_NULL -> {
                return new YamlNode.Scalar(line, "", YamlNode.Kind.NULL);
            }
            default -> {
                return new YamlNode.Scalar(line, p.getText(), YamlNode.Kind.STRING);
            }
        }
    }
}
