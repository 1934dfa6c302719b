/* Workload generator for the fswait benchmarks (bench/fsbench.py compiles it once per run).
 *
 *   gen burst ROOT NDIRS NFILES BYTES  for i: mkdir ROOT/d<i>/sub (-p); NFILES files of BYTES in it
 *   gen tree  ROOT NDIRS NFILES        ROOT/d<i>/f<j>: NDIRS dirs with NFILES empty files each
 *   gen dirs  ROOT N1 N2               ROOT/a<i>/b<j>: N1*N2 leaf directories
 *   gen churn DIR N                    N x (open O_CREAT, close, unlink) of DIR/n<i>
 *   gen cycle DIR N BYTES              N x (open O_CREAT, write BYTES, close, unlink) of DIR/f<i>
 *
 * Prints "elapsed=SECONDS" (CLOCK_MONOTONIC around the loop) on stdout. Any failing system
 * call ends the program with status 1 and a message: a benchmark must never count a
 * workload that did not happen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static void die(const char *what, const char *path) {
    fprintf(stderr, "gen: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void mkd(const char *p) {
    if (mkdir(p, 0755) != 0 && errno != EEXIST) die("mkdir", p);
}

static void put(const char *p, long bytes, int unlink_after) {
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) die("open", p);
    long left = bytes;
    while (left > 0) {
        ssize_t n = write(fd, buf, left > (long)sizeof buf ? (long)sizeof buf : left);
        if (n <= 0) die("write", p);
        left -= n;
    }
    if (close(fd) != 0) die("close", p);
    if (unlink_after && unlink(p) != 0) die("unlink", p);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long num(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0) {
        fprintf(stderr, "gen: bad number '%s'\n", s);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    char p[4096];
    memset(buf, 'x', sizeof buf);
    if (argc < 4) {
        fprintf(stderr, "usage: gen burst|tree|dirs|churn|cycle ROOT N...\n");
        return 2;
    }
    const char *mode = argv[1], *root = argv[2];
    double t0 = now();
    if (strcmp(mode, "burst") == 0 && argc == 6) {
        long nd = num(argv[3]), nf = num(argv[4]), bytes = num(argv[5]);
        for (long i = 0; i < nd; i++) {
            snprintf(p, sizeof p, "%s/d%ld", root, i);
            mkd(p);
            snprintf(p, sizeof p, "%s/d%ld/sub", root, i);
            mkd(p);
            for (long j = 0; j < nf; j++) {
                snprintf(p, sizeof p, "%s/d%ld/sub/f%ld", root, i, j);
                put(p, bytes, 0);
            }
        }
    } else if (strcmp(mode, "tree") == 0 && argc == 5) {
        long nd = num(argv[3]), nf = num(argv[4]);
        for (long i = 0; i < nd; i++) {
            snprintf(p, sizeof p, "%s/d%ld", root, i);
            mkd(p);
            for (long j = 0; j < nf; j++) {
                snprintf(p, sizeof p, "%s/d%ld/f%ld", root, i, j);
                put(p, 0, 0);
            }
        }
    } else if (strcmp(mode, "dirs") == 0 && argc == 5) {
        long n1 = num(argv[3]), n2 = num(argv[4]);
        for (long i = 0; i < n1; i++) {
            snprintf(p, sizeof p, "%s/a%ld", root, i);
            mkd(p);
            for (long j = 0; j < n2; j++) {
                snprintf(p, sizeof p, "%s/a%ld/b%ld", root, i, j);
                mkd(p);
            }
        }
    } else if (strcmp(mode, "churn") == 0 && argc == 4) {
        long n = num(argv[3]);
        for (long i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s/n%ld", root, i);
            put(p, 0, 1);
        }
    } else if (strcmp(mode, "cycle") == 0 && argc == 5) {
        long n = num(argv[3]), bytes = num(argv[4]);
        for (long i = 0; i < n; i++) {
            snprintf(p, sizeof p, "%s/f%ld", root, i);
            put(p, bytes, 1);
        }
    } else {
        fprintf(stderr, "gen: bad arguments for mode '%s'\n", mode);
        return 2;
    }
    printf("elapsed=%.6f\n", now() - t0);
    return 0;
}
