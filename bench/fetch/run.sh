#!/bin/bash
# The fetch benchmark (bench/README.md, "fetch"): a ~1 GiB window of two instances' files, fetched
# from a local directory (beside mergecap on the same files) and from S3Proxy on loopback; MB/s and
# peak RSS. usage (from the project's root, after `./mvnw -q package -DskipTests` and
# `./mvnw -q dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test`):
#   bench/fetch/run.sh [WORKDIR]
set -eu
W=${1:-/tmp/fetchbench}; HERE=$(cd "$(dirname "$0")" && pwd); export VXDUMP_JAR=$PWD/target/vxdump.jar
VX="$PWD/bin/vxdump"   # the launcher, with the JVM options it gives fetch
rm -rf "$W"; mkdir -p "$W"
python3 "$HERE/make-archive.py" "$W/archive" 2 8 64 >/dev/null
FROM=2026-12-01T00:00:00Z; TO=2026-12-02T00:00:00Z
IN=$(du -cb "$W"/archive/*/web/*.pcap | tail -1 | cut -f1)
report() { # name seconds rss-kib
  awk -v n="$1" -v s="$2" -v r="$3" -v b="$IN" 'BEGIN{printf "%-28s %6.2f s  %7.0f MB/s  peak RSS %5.0f MiB\n", n, s, b/1e6/s, r/1024}'; }
timed() { # name output command... (the inputs in the page cache, as after a download)
  local n=$1 o=$2; shift 2; cat "$W"/archive/*/web/*.pcap > /dev/null
  /usr/bin/time -f "%e %M" -o "$W/time" "$@" >"$o" 2>"$W/err" || { cat "$W/err"; exit 1; }
  read -r s r < "$W/time"; report "$n" "$s" "$r"; }
for round in 1 2 3; do
  timed "vxdump fetch > file" "$W/out.pcap" "$VX" fetch "$W/archive" --from $FROM --to $TO -w -
  timed "mergecap > file" "$W/merged.pcap" mergecap -F nsecpcap -w - "$W"/archive/*/web/*.pcap
  timed "vxdump fetch > /dev/null" /dev/null "$VX" fetch "$W/archive" --from $FROM --to $TO -w -
  timed "mergecap > /dev/null" /dev/null mergecap -F nsecpcap -w - "$W"/archive/*/web/*.pcap
done
cmp <(tail -c +25 "$W/out.pcap") <(tail -c +25 "$W/merged.pcap") && echo "the same records as mergecap, byte for byte"
# The same files in S3Proxy, in the layout upload: writes.
mkdir -p "$W/store/archive"
java -cp "$PWD/target/test-classes:$(cat /tmp/cp.txt)" "$HERE/S3ProxyMain.java" "$W/store" archive > "$W/endpoint" 2>/dev/null & S=$!
for _ in $(seq 100); do [ -s "$W/endpoint" ] && break; sleep 0.2; done
EP=$(head -1 "$W/endpoint"); export AWS_ACCESS_KEY_ID=vxdump-test AWS_SECRET_ACCESS_KEY=vxdump-test-secret AWS_REGION=us-east-1
for f in "$W"/archive/*/web/*.pcap; do
  d="$W/store/archive/fleet/web/2026/12/01"; mkdir -p "$d"; cp "$f" "$d/"
done
for round in 1 2; do
  timed "vxdump fetch s3:// > file" "$W/out-s3.pcap" "$VX" fetch s3://archive/fleet --endpoint "$EP" --path-style --from $FROM --to $TO -w -
done
cmp "$W/out.pcap" "$W/out-s3.pcap" && echo "S3 output identical to the local one"
kill $S; wait $S 2>/dev/null || true
echo "input: $((IN / 1048576)) MiB in $(ls "$W"/archive/*/web/*.pcap | wc -l) files; machine: $(nproc) vCPUs, $(uname -r)"
