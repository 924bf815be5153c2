package io.vxdump.config;

/** A user's configuration mistake, with a one-line message that names the file and line, or the flag. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message, null, false, false);
    }

    /** {@code file:line: key: problem}. */
    static ConfigException at(Object file, int line, String key, String problem) {
        return new ConfigException(file + ":" + line + ": " + key + ": " + problem);
    }
}
