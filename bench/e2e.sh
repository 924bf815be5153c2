#!/usr/bin/env bash
# End-to-end throughput on loopback: `vxdump serve`, and `vxdump replay --topspeed` of a generated
# capture (pcaps/ethernet-mix.pcap, 15 frames of 60 to 1400 bytes, LOOPS times over) into it.
# Reports offered and written packets per second, loss from vxdump's own counts and the kernel's,
# and the CPU seconds per million packets of each process.
#
#   bench/e2e.sh                 # LOOPS=20000 (300,000 packets), THREADS=2
#   LOOPS=100000 THREADS=1 bench/e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/vxdump.jar
[ -f "$JAR" ] || mvn -q -B package -DskipTests
LOOPS=${LOOPS:-20000}
THREADS=${THREADS:-2}
work=$(mktemp -d)
trap 'kill -TERM "$serve" 2>/dev/null || true; rm -rf "$work"' EXIT

java -jar "$JAR" serve --listen 127.0.0.1:0 --metrics 127.0.0.1:0 --output "$work/out" --threads "$THREADS" \
  --rotate-size 64MiB --keep-files 2 --instance-id bench > "$work/serve.log" 2>&1 &
serve=$!
for _ in $(seq 100); do grep -q "serving on" "$work/serve.log" && break; sleep 0.1; done
port=$(grep -o 'serving on [^ ]*' "$work/serve.log" | sed 's/.*://')
metrics=$(grep -o 'metrics http://[^ ]*' "$work/serve.log" | sed 's/metrics //')
metric() { curl -s "$metrics" | awk -v m="$1" '$1 == m {print $2}'; }
sum_metric() { curl -s "$metrics" | awk -v m="$1" 'index($1, m"{") == 1 || $1 == m {s += $2} END {printf "%.0f", s}'; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tck=$(getconf CLK_TCK)

serve_cpu0=$(cpu_ticks "$serve")
kernel0=$(metric vxdump_udp_receive_buffer_errors_total)
replay_out=$( { time -p java -jar "$JAR" replay pcaps/ethernet-mix.pcap --to "127.0.0.1:$port" --topspeed \
  --vni 7 --loop "$LOOPS"; } 2>&1 )
sleep 2 # let the flush timer and the writer finish: a quiet moment
serve_cpu1=$(cpu_ticks "$serve")
received=$(metric vxdump_datagrams_received_total)
written=$(sum_metric vxdump_packets_written_total)
dropped=$(sum_metric vxdump_datagrams_dropped_total)
kernel1=$(metric vxdump_udp_receive_buffer_errors_total)
kill -TERM "$serve"; wait "$serve" || true

sent=$(echo "$replay_out" | grep -o 'sent [0-9]*' | awk '{print $2}')
seconds=$(echo "$replay_out" | grep -o 'in [0-9.]* s' | awk '{print $2}')
replay_cpu=$(echo "$replay_out" | awk '/^user/ {u=$2} /^sys/ {s=$2} END {print u + s}')
awk -v sent="$sent" -v secs="$seconds" -v rec="$received" -v wr="$written" -v dr="$dropped" \
    -v k0="$kernel0" -v k1="$kernel1" -v sc0="$serve_cpu0" -v sc1="$serve_cpu1" -v tck="$tck" -v rc="$replay_cpu" \
    -v threads="$THREADS" 'BEGIN {
  printf "machine: %s, %d cores; serve --threads %d\n", "'$(hostname)'", '"$(nproc)"', threads
  printf "offered:  %d packets in %.2f s = %.0f pps (vxdump replay --topspeed)\n", sent, secs, sent / secs
  printf "written:  %d packets = %.0f pps over the same time\n", wr, wr / secs
  printf "received: %d; dropped by vxdump: %.0f; kernel receive-buffer drops: %.0f; unaccounted: %.0f\n", rec, dr, k1 - k0, sent - rec - (k1 - k0)
  printf "loss:     %.3f %% of offered\n", 100 * (sent - wr) / sent
  printf "cpu:      serve %.2f s per million packets, replay %.2f s per million packets\n", (sc1 - sc0) / tck / (rec / 1e6), rc / (sent / 1e6)
}'
