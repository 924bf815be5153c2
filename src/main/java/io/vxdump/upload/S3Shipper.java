package io.vxdump.upload;

import io.vxdump.archive.ArchiveIndex;
import io.vxdump.archive.UploadLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.UploadFileRequest;

/**
 * Uploads the backlog of finished files to S3, oldest first, {@code concurrency} at a time, with the
 * AWS SDK's transfer manager (multipart above the part size, the SDK's checksums, its retries).
 * A failed upload goes back to the backlog and the thread waits, doubling from one second up to a
 * minute, so an unreachable store costs nothing and everything goes once it is back. Credentials
 * come from the SDK's default chain: on EC2, the instance profile.
 */
public final class S3Shipper {
    private static final Logger LOG = LoggerFactory.getLogger(S3Shipper.class);
    private static final long MAX_BACKOFF_MILLIS = 60_000;

    /** What went wrong with an upload, the label of {@code vxdump_upload_failures_total}. */
    public enum Failure {
        UNREACHABLE, CREDENTIALS, DENIED, NO_BUCKET, SERVER, OTHER;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final UploadSettings settings;
    private final ArchiveIndex index;
    private final UploadLedger ledger;
    private final S3AsyncClient client;
    private final S3TransferManager transfers;
    private final List<Thread> threads = new ArrayList<>();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    // Several upload threads count: atomics, not the single-writer counters of the packet path.
    private final java.util.concurrent.atomic.AtomicLong filesUploaded = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong bytesUploaded = new java.util.concurrent.atomic.AtomicLong();
    private final Map<Failure, java.util.concurrent.atomic.AtomicLong> failures = new EnumMap<>(Failure.class);
    private volatile String lastError = "";

    public S3Shipper(UploadSettings settings, ArchiveIndex index, UploadLedger ledger) {
        this.settings = settings;
        this.index = index;
        this.ledger = ledger;
        for (Failure f : Failure.values()) {
            failures.put(f, new java.util.concurrent.atomic.AtomicLong());
        }
        // An attempt that outlasts its part at 1 MiB/s (2 min at least) is abandoned and retried;
        // the file stays in the backlog until a try succeeds.
        java.time.Duration attempt = java.time.Duration.ofSeconds(Math.max(120, settings.partSize() >> 20));
        this.client = io.vxdump.s3.S3Clients.async(settings.region(), settings.endpoint(), settings.pathStyle(), attempt,
                b -> b.multipartEnabled(true).multipartConfiguration(c -> c.thresholdInBytes(settings.partSize())
                        .minimumPartSizeInBytes(settings.partSize())));
        this.transfers = S3TransferManager.builder().s3Client(client).build();
    }

    public void start() {
        for (int i = 0; i < settings.concurrency(); i++) {
            Thread t = new Thread(this::run, "vxdump-upload-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        LOG.info("uploading finished files to {} ({} at a time); backlog: {} file(s)", settings.target(),
                settings.concurrency(), index.backlogFiles());
    }

    /** A file was finished: an idle upload thread takes it now. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run() {
        long backoff = 0;
        try {
            while (!stopping) {
                if (backoff > 0 && stopped.await(backoff, TimeUnit.MILLISECONDS)) {
                    return; // a failing store is not tried again before the backoff is over, finished files or not
                }
                ArchiveIndex.Entry e = index.takeForUpload();
                if (e == null) {
                    synchronized (wake) {
                        wake.wait(1000);
                    }
                    continue;
                }
                boolean stored = upload(e);
                index.uploadEnded(e, stored);
                backoff = stored ? 0 : Math.min(MAX_BACKOFF_MILLIS, Math.max(1000, backoff * 2));
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean upload(ArchiveIndex.Entry e) {
        String key = key(e);
        try {
            if (!Files.exists(e.path())) {
                return true; // deleted meanwhile (the floor): nothing to ship
            }
            transfers.uploadFile(UploadFileRequest.builder().source(e.path()).putObjectRequest(r -> {
                r.bucket(settings.bucket()).key(key);
                settings.storageClass().ifPresent(r::storageClass);
            }).build()).completionFuture().join();
            ledger.markUploaded(e.path());
            filesUploaded.incrementAndGet();
            bytesUploaded.addAndGet(e.size());
            LOG.debug("uploaded {} to s3://{}/{}", e.path(), settings.bucket(), key);
            if (settings.deleteAfterUpload()) {
                Files.deleteIfExists(e.path());
                ledger.forget(e.path());
                index.remove(e); // the kept-bytes total and the total size limit count it no more
            }
            if (!lastError.isEmpty()) {
                LOG.info("uploads work again");
                lastError = "";
            }
            return true;
        } catch (java.util.concurrent.CompletionException | SdkClientException | S3Exception ex) {
            Throwable cause = ex instanceof java.util.concurrent.CompletionException && ex.getCause() != null ? ex.getCause() : ex;
            Failure kind = kind(cause);
            failures.get(kind).incrementAndGet();
            String message = kind.label() + ": " + cause.getMessage();
            if (lastError.isEmpty()) {
                LOG.warn("uploading {} failed ({}); the file stays in the backlog and is tried again", e.path(), message);
            }
            lastError = message;
            return false;
        } catch (IOException ex) {
            failures.get(Failure.OTHER).incrementAndGet();
            LOG.warn("after uploading {}: {}", e.path(), ex.toString());
            return false;
        }
    }

    /** {@code PREFIX/<session>/<yyyy>/<mm>/<dd>/<file name>}, the date of the file's first packet. */
    String key(ArchiveIndex.Entry e) {
        String s = e.stamp();
        String path = e.session() + "/" + s.substring(0, 4) + "/" + s.substring(4, 6) + "/" + s.substring(6, 8) + "/"
                + e.path().getFileName();
        return settings.prefix().isEmpty() ? path : settings.prefix() + "/" + path;
    }

    private static Failure kind(Throwable t) {
        if (t instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? "" : s3.awsErrorDetails().errorCode();
            if (status == 403 || status == 401) {
                return Failure.DENIED;
            }
            if ("NoSuchBucket".equals(code)) {
                return Failure.NO_BUCKET;
            }
            return status >= 500 ? Failure.SERVER : Failure.OTHER;
        }
        if (t instanceof SdkClientException && String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT)
                .contains("credentials")) {
            return Failure.CREDENTIALS; // no instance profile, no keys: the SDK's default chain found nothing
        }
        return t instanceof SdkClientException ? Failure.UNREACHABLE : Failure.OTHER;
    }

    /**
     * Keeps uploading the backlog for at most {@code seconds}, then stops; what is left is found
     * again at the next start.
     */
    public void drainAndStop(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (index.backlogFiles() > 0 && System.nanoTime() < deadline) {
            wake();
            Thread.sleep(100);
        }
        if (index.backlogFiles() > 0) {
            LOG.info("stopping with {} file(s) not uploaded; they go after the next start", index.backlogFiles());
        }
        stopping = true;
        stopped.countDown();
        wake();
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        transfers.close();
        client.close();
    }

    public long filesUploaded() {
        return filesUploaded.get();
    }

    public long bytesUploaded() {
        return bytesUploaded.get();
    }

    public long failures(Failure kind) {
        return failures.get(kind).get();
    }

    /** The last upload error, empty while uploads work. */
    public String lastError() {
        return lastError;
    }

    public UploadSettings settings() {
        return settings;
    }
}
