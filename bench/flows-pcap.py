#!/usr/bin/env python3
"""Writes the replay order test's capture (ReplayIT.manyFlows) to the path given, /tmp/flows.pcap
by default: 2,000 IPv4/TCP frames over 60 flows, frame i of flow (i*i + i//3) mod 60, 0.5 ms apart,
each numbered. For the replay top-speed figures in bench/README.md."""
import struct
import sys


def checksum(header):
    s = sum(struct.unpack('!10H', header))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def main(path):
    with open(path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i in range(2000):
            flow = (i * i + i // 3) % 60
            tcp = struct.pack('!HHIIBBHHH', 20000 + flow, 443, 0, 0, 0x50, 0x18, 65535, 0, 0) \
                + struct.pack('!I', i) + bytes(28)
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0,
                             bytes([10, 0, 1, flow]), bytes([10, 0, 2, 1]))
            ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
            frame = bytes([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2]) + b'\x08\x00' + ip + tcp
            us = 1700000000000000 + i * 500
            out.write(struct.pack('<IIII', us // 1000000, us % 1000000, len(frame), len(frame)))
            out.write(frame)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/tmp/flows.pcap')
