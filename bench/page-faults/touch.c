/* touch: what making fresh anonymous memory resident costs on this machine, the figure behind the
 * staging reserve's prefault (bench/README.md, issue #17 step 4). Maps 1 GiB, touches a byte per
 * 4 KiB page (with MADV_HUGEPAGE when asked), then memsets it, gives it back (MADV_DONTNEED) and
 * touches it again; three rounds. On a VM whose host backs memory lazily the first round is far
 * slower than the others.
 * usage: gcc -O2 -o touch touch.c && taskset -c 1 ./touch && taskset -c 1 ./touch huge */
#include <sys/mman.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    size_t n = 1UL << 30;
    int huge = argc > 1;
    for (int round = 0; round < 3; round++) {
        char *p = mmap(0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        if (huge) {
            madvise(p, n, MADV_HUGEPAGE);
        }
        double t = now();
        for (size_t i = 0; i < n; i += 4096) p[i] = 1;
        double first = now() - t;
        t = now();
        memset(p, 2, n);
        double set = now() - t;
        madvise(p, n, MADV_DONTNEED);
        t = now();
        for (size_t i = 0; i < n; i += 4096) p[i] = 1;
        double again = now() - t;
        printf("huge=%d first touch %.0f ms, memset after %.0f ms, touch after DONTNEED %.0f ms\n",
               huge, first * 1e3, set * 1e3, again * 1e3);
        munmap(p, n);
    }
    return 0;
}
