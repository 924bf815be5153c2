/* ringrecv: what receiving the yardstick's VXLAN load costs through an AF_PACKET TPACKET_V3 ring
 * instead of a UDP socket (issue #17: the design measured for a receive path that does not copy
 * through the socket layer). The kernel copies each datagram into a mapped ring in its receive
 * softirq; this process reads the ring with no system call per batch. A UDP socket stays bound on
 * the port with a drop-all filter, so the kernel sends no port-unreachable and queues nothing.
 * Counts datagrams (and, with "copy", copies each VXLAN payload into a 64 MiB scratch ring, as
 * vxdump's staging copy does), then prints them and the ring's drops after IDLE seconds of silence;
 * while it reads, a line on stderr for each 0.1 s in which the ring dropped.
 *
 * usage: gcc -O2 -o ringrecv bench/af-packet/ringrecv.c
 *        PROJECT_CMD='/path/ringrecv 4789 60 [copy]' ../shared/bench/peerbench.sh 3000000 1400 project
 * (ends on SIGTERM, as peerbench stops a receiver, or after IDLE seconds without traffic)
 * (peerbench counts "kept" from pcap files, so it reports 100 % lost: read the count from the log,
 * /tmp/pb_out_project.log, and the CPU figures from peerbench's line.) IPv4 on lo only. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#define BLOCK_SIZE (1 << 22)
#define BLOCKS 64 /* 256 MiB: the ring plays the socket buffer's part */

static volatile sig_atomic_t stop;

static void on_term(int sig) {
    (void) sig;
    stop = 1;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: ringrecv PORT IDLE_SECONDS [copy]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    double idle = atof(argv[2]);
    int copy = argc > 3 && !strcmp(argv[3], "copy");

    int u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sock_filter drop_all[] = {{BPF_RET | BPF_K, 0, 0, 0}};
    struct sock_fprog drop = {1, drop_all};
    struct sockaddr_in a4 = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &drop, sizeof drop) < 0 || bind(u, (void *) &a4, sizeof a4) < 0) {
        perror("udp sink");
        return 1;
    }

    int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IP));
    if (s < 0) {
        perror("socket(AF_PACKET)");
        return 1;
    }
    /* tcpdump -i lo -dd 'ip and udp dst port 4789' (the port patched in below) */
    struct sock_filter code[] = {
        {0x28, 0, 0, 0x0000000c}, {0x15, 0, 8, 0x00000800}, {0x30, 0, 0, 0x00000017},
        {0x15, 0, 6, 0x00000011}, {0x28, 0, 0, 0x00000014}, {0x45, 4, 0, 0x00001fff},
        {0xb1, 0, 0, 0x0000000e}, {0x48, 0, 0, 0x00000010}, {0x15, 0, 1, 0x000012b5},
        {0x6, 0, 0, 0x00040000}, {0x6, 0, 0, 0x00000000},
    };
    code[8].k = port;
    struct sock_fprog filter = {sizeof code / sizeof code[0], code};
    int v3 = TPACKET_V3, one = 1;
    struct tpacket_req3 req = {.tp_block_size = BLOCK_SIZE, .tp_block_nr = BLOCKS, .tp_frame_size = 2048,
                               .tp_frame_nr = (BLOCK_SIZE / 2048) * BLOCKS, .tp_retire_blk_tov = 10};
    if (setsockopt(s, SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof filter) < 0
        || setsockopt(s, SOL_PACKET, PACKET_VERSION, &v3, sizeof v3) < 0
        || setsockopt(s, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0
        || setsockopt(s, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) < 0) {
        perror("setsockopt");
        return 1;
    }
    unsigned char *ring = mmap(0, (size_t) BLOCK_SIZE * BLOCKS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, s, 0);
    if (ring == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = if_nametoindex("lo")};
    if (bind(s, (void *) &ll, sizeof ll) < 0) {
        perror("bind(lo)");
        return 1;
    }
    unsigned char *scratch = copy ? malloc(64 << 20) : NULL;
    size_t at = 0;
    if (scratch) {
        memset(scratch, 0, 64 << 20);
    }
    struct sigaction sa = {.sa_handler = on_term}; /* peerbench ends its receiver with SIGTERM */
    sigaction(SIGTERM, &sa, NULL);
    printf("ready\n");
    fflush(stdout);

    long packets = 0, bytes = 0, drops = 0;
    int seen = 0;
    double last = now(), first = 0, stats_at = 0;
    unsigned block = 0;
    struct pollfd pfd = {.fd = s, .events = POLLIN | POLLERR};
    for (;;) {
        struct tpacket_block_desc *bd = (void *) (ring + (size_t) block * BLOCK_SIZE);
        if (!(bd->hdr.bh1.block_status & TP_STATUS_USER)) {
            if (stop || (seen && now() - last > idle)) {
                break;
            }
            poll(&pfd, 1, 100);
            continue;
        }
        if (!seen) {
            first = now();
        }
        seen = 1;
        last = now();
        if (last - stats_at > 0.1) { /* when the ring drops: reading the statistics resets them */
            struct tpacket_stats_v3 q;
            socklen_t ql = sizeof q;
            getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &q, &ql);
            if (q.tp_drops) {
                fprintf(stderr, "%.3f s into the load: %u ring drops (%ld datagrams read)\n", last - first, q.tp_drops, packets);
            }
            drops += q.tp_drops;
            stats_at = last;
        }
        struct tpacket3_hdr *h = (void *) ((unsigned char *) bd + bd->hdr.bh1.offset_to_first_pkt);
        for (unsigned i = 0; i < bd->hdr.bh1.num_pkts; i++) {
            unsigned char *ip = (unsigned char *) h + h->tp_net;
            unsigned ihl = (ip[0] & 15) * 4;
            unsigned udp_len = (ip[ihl + 4] << 8 | ip[ihl + 5]);
            unsigned char *vxlan = ip + ihl + 8;
            if (udp_len >= 16 && (vxlan[0] & 0x08)) {
                packets++;
                bytes += udp_len - 8;
                if (scratch) {
                    size_t n = udp_len - 16;
                    if (at + n > (64u << 20)) {
                        at = 0;
                    }
                    memcpy(scratch + at, vxlan + 8, n);
                    at += (n + 7) & ~7u;
                }
            }
            h = (void *) ((unsigned char *) h + h->tp_next_offset);
        }
        bd->hdr.bh1.block_status = TP_STATUS_KERNEL;
        block = (block + 1) % BLOCKS;
    }
    struct tpacket_stats_v3 st;
    socklen_t len = sizeof st;
    getsockopt(s, SOL_PACKET, PACKET_STATISTICS, &st, &len);
    printf("received %ld datagrams %ld bytes; ring drops %ld\n", packets, bytes, drops + st.tp_drops);
    return 0;
}
