package io.vxdump.testing;

import java.net.URI;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.crt.AwsCrtHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 API server for the tests: S3Proxy on loopback over a file-system store, with SigV4
 * authentication. It can be stopped and started again on the same port, as a store that goes away.
 */
public final class S3Server implements AutoCloseable {
    public static final String ACCESS_KEY = "vxdump-test";
    public static final String SECRET_KEY = "vxdump-test-secret";

    private final Path store;
    private final int port;
    private S3Proxy proxy;
    private BlobStoreContext context;

    private S3Server(Path store, int port) {
        this.store = store;
        this.port = port;
    }

    /** Starts a server on a free loopback port, with {@code bucket} created. */
    public static S3Server start(Path store, String bucket) throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        S3Server server = new S3Server(store, port);
        server.start();
        server.context.getBlobStore().createContainerInLocation(null, bucket);
        return server;
    }

    /** Starts (again) on the same port and store. */
    public void start() throws Exception {
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", store.toString());
        context = ContextBuilder.newBuilder("filesystem").credentials("unused", "unused").overrides(p)
                .build(BlobStoreContext.class);
        proxy = S3Proxy.builder().blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // The SDK's multipart client sends x-amz-mp-object-size, which S3Proxy does not know.
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    /** Stops answering: the store is unreachable until {@link #start()}. */
    public void stop() throws Exception {
        proxy.stop();
        context.close();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** A client of this server: to read back what vxdump uploaded, or to put an archive's files. */
    public S3Client client() {
        return S3Client.builder().endpointOverride(endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                // S3Proxy checks the SigV4 payload hash, not the newer flexible checksums (trailers).
                .requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClient(AwsCrtHttpClient.create()).build();
    }

    /** The environment a vxdump process needs to sign its requests to this server. */
    public java.util.List<String> env() {
        return java.util.List.of("env", "AWS_ACCESS_KEY_ID=" + ACCESS_KEY, "AWS_SECRET_ACCESS_KEY=" + SECRET_KEY,
                "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true");
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (Exception e) {
            // already stopped
        }
    }
}
