/* Writes aligned blocks with O_DIRECT (pwritev of K buffers of N KiB) for 8 s, fsync every 100 MB, and prints
 * the rate: the disk's durable write rate (bench/README.md, issue 17 step 3).
 * usage: pwritev-fsync FILE BLOCK_KIB K   (gcc -O2 -o pwritev-fsync pwritev-fsync.c) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int c,char**v){ size_t bs=atoi(v[2])*1024; int k=atoi(v[3]); double secs=8; long syncbytes=100L<<20;
 struct iovec io[64]; for(int i=0;i<k;i++){void*b;posix_memalign(&b,4096,bs);memset(b,i+1,bs);io[i].iov_base=b;io[i].iov_len=bs;}
 int fd=open(v[1],O_CREAT|O_TRUNC|O_WRONLY|O_DIRECT,0644); off_t off=0; long since=0; double t0=now();
 while(now()-t0<secs){ ssize_t n=pwritev(fd,io,k,off); if(n<0){perror("pwritev");return 1;} off+=n; since+=n; if(since>=syncbytes){fsync(fd);since=0;} }
 printf("iov %zu KiB x %d: %.0f MB/s\n",bs/1024,k,off/(now()-t0)/1e6); unlink(v[1]); return 0;}
