package io.vxdump.config;

import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree that remembers the line of every node, so each error can name it.
 * Jackson's own trees forget locations; this one is built from its streaming parser.
 */
sealed interface YamlNode {
    int line();

    /** A mapping; keys in file order, each with its own line. */
    record Mapping(int line, Map<String, Entry> entries) implements YamlNode {
    }

    /** One key of a mapping. */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    record Sequence(int line, List<YamlNode> items) implements YamlNode {
    }

    /** A scalar with its source text and whether YAML typed it as a whole number. */
    record Scalar(int line, String text, Kind kind) implements YamlNode {
    }

    enum Kind { INTEGER, NUMBER, BOOLEAN, NULL, STRING }

    /** A short name of the node's type for messages. */
    default String typeName() {
        if (this instanceof Mapping) {
            return "a mapping";
        }
        if (this instanceof Sequence) {
            return "a list";
        }
        return switch (((Scalar) this).kind()) {
            case INTEGER -> "a whole number";
            case NUMBER -> "a number";
            case BOOLEAN -> "true/false";
            case NULL -> "nothing";
            case STRING -> "a string";
        };
    }
}
