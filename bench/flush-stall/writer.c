/* Writes N blocks of 512 KiB with O_DIRECT to FILE (extending it), 0.8 ms apart, and prints the
 * longest write and how many took over 20 ms. Run beside fsync-loop to see flushes stall writes.
 * usage: writer FILE N */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: writer FILE N\n"); return 2; }
    size_t bs = 512 * 1024; void *b; int n = atoi(argv[2]);
    if (posix_memalign(&b, 4096, bs)) return 1;
    memset(b, 1, bs);
    int fd = open(argv[1], O_CREAT | O_TRUNC | O_WRONLY | O_DIRECT, 0644);
    if (fd < 0) { perror(argv[1]); return 1; }
    double longest = 0; int slow = 0;
    for (int i = 0; i < n; i++) {
        double t0 = now();
        if (pwrite(fd, b, bs, (off_t) i * bs) != (ssize_t) bs) { perror("pwrite"); return 1; }
        double d = now() - t0;
        if (d > longest) longest = d;
        if (d > 0.02) slow++;
        usleep(800);
    }
    printf("longest write %.1f ms, %d over 20 ms\n", longest * 1000, slow);
    return 0;
}
