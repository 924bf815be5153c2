#!/usr/bin/env python3
"""Writes a synthetic archive for the fetch benchmark: INSTANCES instances' output directories, each
with FILES files of session "web" of ~SIZE_MIB MiB, 1400-byte frames whose timestamps interleave
across instances (nanosecond pcap, as vxdump writes). usage: make-archive.py DIR [INSTANCES FILES SIZE_MIB]"""
import os, struct, sys, time

root = sys.argv[1]
instances = int(sys.argv[2]) if len(sys.argv) > 2 else 2
files = int(sys.argv[3]) if len(sys.argv) > 3 else 8
size = (int(sys.argv[4]) if len(sys.argv) > 4 else 64) << 20
frame_len = 1400
per_file = size // (16 + frame_len)
start = 1796083200 * 10**9  # 2026-12-01T00:00:00Z
gap = 20_000  # ns between a series' packets
frame = bytes(range(256)) * 6
frame = frame[:frame_len]
for i in range(instances):
    d = os.path.join(root, f"i{i}", "web")
    os.makedirs(d, exist_ok=True)
    ts = start + i * 7_000
    for f in range(files):
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(ts // 10**9))
        name = os.path.join(d, f"web-i{i}-{stamp}-{f + 1:06d}.pcap")
        with open(name, "wb") as out:
            out.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 262144, 1))
            buf = bytearray()
            for k in range(per_file):
                buf += struct.pack("<IIII", ts // 10**9, ts % 10**9, frame_len, frame_len)
                buf += frame
                ts += gap
                if len(buf) > 8 << 20:
                    out.write(buf); buf = bytearray()
            out.write(buf)
        ts += 1_000_000_000  # files of a series start in distinct seconds
print(root)
