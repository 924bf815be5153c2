#!/usr/bin/env python3
# A burst of N new VNIs (one VXLAN datagram each) at 50k pps to a running vxdump, then what its
# /metrics says 100 ms after the burst's end, how long a scrape takes, and written/pending later.
# usage: bench/vni-burst.py UDP_PORT METRICS_PORT [N]   (vxdump with max-sessions above N)
import socket, struct, time, sys, urllib.request
port=int(sys.argv[1]); mport=int(sys.argv[2]); n=int(sys.argv[3]) if len(sys.argv)>3 else 10000
s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
eth=b'\x02'*6+b'\x04'*6+b'\x08\x00'+bytes([0x45,0,0,28,0,0,0,0,64,17,0,0,10,0,0,1,10,0,0,2])+bytes(8)
rate=50000; start=time.perf_counter(); sent=0
while sent<n:
    due=min(n,int((time.perf_counter()-start)*rate))
    while sent<due:
        s.sendto(struct.pack('!II',0x08000000,(100000+sent)<<8)+eth,('127.0.0.1',port)); sent+=1
    time.sleep(0.0005)
end=time.perf_counter()
def metric(name):
    t=urllib.request.urlopen('http://127.0.0.1:%d/metrics'%mport).read().decode()
    return sum(float(l.split()[-1]) for l in t.splitlines() if l.startswith(name))
time.sleep(0.1)
r=metric('vxdump_datagrams_received_total')
print("burst of %d new VNIs in %.3f s; received 100 ms after its end: %d" % (n, end-start, r))
t0=time.perf_counter(); body=urllib.request.urlopen('http://127.0.0.1:%d/metrics'%mport).read(); t1=time.perf_counter()
print("/metrics: %.0f ms, %d bytes" % ((t1-t0)*1000, len(body)))
time.sleep(2)
t0=time.perf_counter(); body=urllib.request.urlopen('http://127.0.0.1:%d/metrics'%mport).read(); t1=time.perf_counter()
print("/metrics again: %.0f ms, %d bytes; written %d pending %d" % ((t1-t0)*1000, len(body), metric('vxdump_packets_written_total'), metric('vxdump_packets_pending')))
