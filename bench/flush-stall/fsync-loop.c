/* Every INTERVAL_US microseconds, writes one byte to FILE and fsyncs it (a flush of the device's
 * cache), COUNT times; prints the average and longest fsync.
 * usage: fsync-loop FILE INTERVAL_US COUNT */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: fsync-loop FILE INTERVAL_US COUNT\n"); return 2; }
    int us = atoi(argv[2]), n = atoi(argv[3]);
    int fd = open(argv[1], O_CREAT | O_WRONLY, 0644);
    if (fd < 0) { perror(argv[1]); return 1; }
    double longest = 0, sum = 0;
    for (int i = 0; i < n; i++) {
        usleep(us);
        if (pwrite(fd, "x", 1, i) != 1) { perror("pwrite"); return 1; }
        double t0 = now();
        fsync(fd);
        double d = now() - t0;
        sum += d;
        if (d > longest) longest = d;
    }
    printf("fsync every %d ms: %.1f ms on average, %.1f ms at most\n", us / 1000, sum / n * 1000, longest * 1000);
    return 0;
}
