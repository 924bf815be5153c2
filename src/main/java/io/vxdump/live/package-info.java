/**
 * Watching sessions live: {@link io.vxdump.live.LiveTap} hands records from the writer threads to
 * the watchers (a bounded ring each: a slow watcher loses records, counted, never the files), and
 * {@link io.vxdump.live.LiveServer} streams them as pcap over a Unix domain socket to
 * {@code vxdump tail}. A reader of the output, beside it, not a stage of it.
 */
package io.vxdump.live;
