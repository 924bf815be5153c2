/**
 * The finished files on disk, after the finisher: what this instance keeps across all sessions,
 * and the limits on it (a free-space floor, a total size).
 */
package io.vxdump.archive;
