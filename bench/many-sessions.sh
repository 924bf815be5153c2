#!/bin/bash
# many-sessions: 10,000 mirror sessions each sending a trickle, as a busy NLB target sees them.
# Prints vxdump's RSS and open descriptors before and after the load, the time /metrics takes to
# answer (three scrapes) and the shutdown totals. Uses the shared yardstick's load generator.
#
# usage (as root, from the project's root, after `mvn -q package -DskipTests` and one run of
# ../shared/bench/peerbench.sh, which builds vxgen):  bench/many-sessions.sh [extra serve flags]
# env: COUNT datagrams (default 40000: every VNI × 4 inner flows once), RATE pps (default 5000),
#      THREADS receive threads (default 1), BIN where vxgen is (default /tmp/vxbench)
set -u
BIN=${BIN:-${TMPDIR:-/tmp}/vxbench}
ns=vx_many; ip netns del $ns 2>/dev/null; ip netns add $ns; ip netns exec $ns ip link set lo up
OUT=${TMPDIR:-/tmp}/vx_many_out; rm -rf "$OUT"; mkdir -p "$OUT"
ip netns exec $ns taskset -c 1 java -jar target/vxdump.jar serve --listen 127.0.0.1:4789 --output "$OUT" \
  --threads "${THREADS:-1}" --metrics 127.0.0.1:9464 --max-sessions 20000 --instance-id many "$@" > "$OUT.log" 2>&1 &
P=$!
for _ in $(seq 200); do ip netns exec $ns ss -Huln 'sport = :4789' | grep -q . && break; sleep 0.05; done
JP=$(pgrep -f "vx_many_out" | head -1)
echo "before: rss $(ps -o rss= -p "$JP") KiB, fds $(ls /proc/"$JP"/fd | wc -l)"
ip netns exec $ns taskset -c 0 "$BIN/vxgen" 127.0.0.1 4789 "${COUNT:-40000}" "${RATE:-5000}" 128 10000 16
sleep 1
echo "after:  rss $(ps -o rss= -p "$JP") KiB, fds $(ls /proc/"$JP"/fd | wc -l)"
for _ in 1 2 3; do
  ip netns exec $ns curl -s -o /dev/null -w "/metrics answered in %{time_total} s (%{size_download} bytes)\n" http://127.0.0.1:9464/metrics
done
kill -TERM $P; wait $P
grep -o "totals: .*" "$OUT.log"
ip netns del $ns
