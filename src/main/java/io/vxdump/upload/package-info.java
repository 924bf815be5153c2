/**
 * Ships finished capture files to S3 (or an S3-compatible store): a stage after the finisher, beside
 * retention. The files not yet uploaded are the backlog; it survives a restart because a file counts
 * as uploaded only once a marker says so.
 */
package io.vxdump.upload;
