/**
 * What the S3 writers and readers share: where an archive is ({@link io.vxdump.s3.S3Location}) and
 * how a client of it is made ({@link io.vxdump.s3.S3Clients}): region, endpoint, path style, and
 * timeouts that keep a stalled connection from hanging a thread. Used by {@code upload} (finished
 * files out) and {@code fetch} (the archive read back).
 */
package io.vxdump.s3;
