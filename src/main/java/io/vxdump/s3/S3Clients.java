package io.vxdump.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Makes the asynchronous S3 clients of upload and fetch alike: the SDK's default credentials, the
 * CRT HTTP client, and timeouts so that no call hangs a thread for good (a connection that stalls,
 * no byte either way for 30 s, is closed; an attempt that outlasts {@code attempt} is abandoned and
 * retried by the SDK).
 */
public final class S3Clients {
    private S3Clients() {
    }

    /**
     * @param region    the bucket's region; empty: the SDK's default chain (the instance's region on EC2)
     * @param endpoint  an S3-compatible store's endpoint (MinIO, Ceph, a test server); empty: AWS
     * @param pathStyle {@code endpoint/bucket/key} requests, as most S3-compatible stores want
     * @param attempt   the longest one attempt of a call may take
     * @param more      anything else the caller sets (multipart for uploads)
     */
    public static S3AsyncClient async(Optional<String> region, Optional<URI> endpoint, boolean pathStyle, Duration attempt,
                                      Consumer<S3AsyncClientBuilder> more) {
        S3AsyncClientBuilder b = S3AsyncClient.builder()
                .httpClient(AwsCrtAsyncHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .connectionAcquisitionTimeout(Duration.ofSeconds(60))
                        .connectionHealthConfiguration(h -> h.minimumThroughputInBps(1L)
                                .minimumThroughputTimeout(Duration.ofSeconds(30)))
                        .build())
                .overrideConfiguration(c -> c.apiCallAttemptTimeout(attempt))
                .forcePathStyle(pathStyle);
        region.ifPresent(r -> b.region(Region.of(r)));
        if (endpoint.isPresent()) {
            b.endpointOverride(endpoint.get());
            if (region.isEmpty()) {
                b.region(Region.US_EAST_1); // S3-compatible stores ignore it, but the signature needs one
            }
            // Many S3-compatible stores lack the newer flexible checksums (trailers); the SigV4
            // payload hash, which they check, still guards the bytes over plain HTTP.
            b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED);
        }
        more.accept(b);
        return b.build();
    }

    /** The one-line reason of an SDK failure: the service's error code and message, or the client's. */
    public static String reason(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
                && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof software.amazon.awssdk.services.s3.model.S3Exception s3 && s3.awsErrorDetails() != null) {
            String code = s3.awsErrorDetails().errorCode();
            return (code == null ? "HTTP " + s3.statusCode() : code) + ": " + s3.awsErrorDetails().errorMessage();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        if (m.startsWith("Unable to load credentials")) { // the SDK lists every provider it tried: one clause is enough
            return "no credentials: an instance or task role, AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";
        }
        return m.replaceAll("\\s+", " ").trim();
    }
}
