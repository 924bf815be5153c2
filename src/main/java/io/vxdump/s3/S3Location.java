package io.vxdump.s3;

import java.util.Locale;

/**
 * {@code s3://BUCKET/PREFIX}: a bucket and a key prefix without leading or trailing slashes
 * (empty for the bucket's root).
 */
public record S3Location(String bucket, String prefix) {
    /** Parses {@code s3://BUCKET[/PREFIX]}; throws IllegalArgumentException with a one-line reason. */
    public static S3Location parse(String text) {
        String t = text.trim();
        if (!t.toLowerCase(Locale.ROOT).startsWith("s3://")) {
            throw new IllegalArgumentException("'" + text + "' is not s3://BUCKET/PREFIX");
        }
        String rest = t.substring(5);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1).replaceAll("^/+|/+$", "");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("'" + text + "': '" + bucket + "' is not a bucket name");
        }
        return new S3Location(bucket, prefix);
    }

    /** True when {@code text} names an S3 location (whether or not it is a valid one). */
    public static boolean looksLike(String text) {
        return text.trim().toLowerCase(Locale.ROOT).startsWith("s3://");
    }

    /** {@code path} under the prefix. */
    public String key(String path) {
        return prefix.isEmpty() ? path : prefix + "/" + path;
    }

    /** {@code s3://bucket/key}, for messages. */
    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
