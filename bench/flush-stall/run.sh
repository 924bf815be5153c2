#!/bin/bash
# How long a flush of the disk's write cache stalls direct writes, by the time between flushes
# (bench/README.md, issue 17 step 2). usage: bench/flush-stall/run.sh [DIR on the disk to test]
set -eu
HERE=$(cd "$(dirname "$0")" && pwd); DIR=${1:-/tmp}; BIN=$(mktemp -d)
gcc -O2 -o "$BIN/writer" "$HERE/writer.c"; gcc -O2 -o "$BIN/fsync-loop" "$HERE/fsync-loop.c"
for interval_us in 100000 250000 1000000 3000000; do
  "$BIN/fsync-loop" "$DIR/flush-stall.sync" $interval_us $((8000000 / interval_us)) &
  "$BIN/writer" "$DIR/flush-stall.data" 6000
  wait
done
rm -rf "$BIN" "$DIR/flush-stall.sync" "$DIR/flush-stall.data"
