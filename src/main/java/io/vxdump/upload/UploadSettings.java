package io.vxdump.upload;

import java.net.URI;
import java.util.Optional;

/**
 * Where and how finished files are uploaded ({@code upload:} in the configuration).
 *
 * @param bucket            the bucket of {@code to: s3://BUCKET/PREFIX}
 * @param prefix            the key prefix, without leading or trailing slashes; may be empty
 * @param region            the bucket's region; empty: the SDK's default chain (the instance's region on EC2)
 * @param endpoint          an S3-compatible store's endpoint (MinIO, Ceph, a test server); empty: AWS
 * @param pathStyle         path-style requests ({@code endpoint/bucket/key}), as most S3-compatible stores want
 * @param storageClass      the objects' storage class; empty: the bucket's default (STANDARD)
 * @param deleteAfterUpload delete each file once it is in the store
 * @param concurrency       files uploaded at once
 * @param shutdownSeconds   how long a stop keeps uploading before it leaves the rest for the next start
 * @param maxBacklogSeconds /healthz names a backlog whose oldest file waits longer than this
 * @param partSize          multipart part size; files larger than this go in parts
 */
public record UploadSettings(String bucket, String prefix, Optional<String> region, Optional<URI> endpoint,
                             boolean pathStyle, Optional<String> storageClass, boolean deleteAfterUpload,
                             int concurrency, long shutdownSeconds, long maxBacklogSeconds, long partSize) {

    /** Parses {@code s3://BUCKET[/PREFIX]}; throws IllegalArgumentException with a one-line reason. */
    public static String[] parseTarget(String to) {
        io.vxdump.s3.S3Location l = io.vxdump.s3.S3Location.parse(to);
        return new String[] {l.bucket(), l.prefix()};
    }

    /** {@code s3://bucket/prefix}, for log lines. */
    public String target() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
}
