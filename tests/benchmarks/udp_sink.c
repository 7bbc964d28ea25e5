// SPDX-License-Identifier: GPL-3.0-or-later
// udp_sink: the null StatsD receiver of tests/benchmarks/udp_ingest.sh (--peer sink), a floor for any real server.
// Binds 127.0.0.1:PORT (0: any free port), reads with recvmmsg (64 datagrams a call) and only counts: datagrams, and
// lines ('\n'-separated, an unterminated tail counts as a line). Every 100 ms it rewrites COUNT_FILE with
// "LINES DATAGRAMS\n" (write to COUNT_FILE.tmp, then rename). Prints "ready udp=127.0.0.1:PORT rcvbuf=BYTES" once it
// listens. Exits on SIGTERM, SIGINT or SIGHUP, or after MAX_SECONDS (default 3600), writing the final counts.
// It asks for the same receive buffer as perfdashd (8 MiB, SO_RCVBUFFORCE, else SO_RCVBUF, capped at rmem_max).
//
// Build: gcc -O2 -Wall -o udp_sink udp_sink.c
// Usage: udp_sink PORT COUNT_FILE [MAX_SECONDS]
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t g_stop;
static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void write_counts(const char *path, long long lines, long long dgrams)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return;
    fprintf(f, "%lld %lld\n", lines, dgrams);
    if (fclose(f) == 0)
        rename(tmp, path);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: udp_sink PORT COUNT_FILE [MAX_SECONDS]\n");
        return 2;
    }
    const long port = strtol(argv[1], NULL, 10);
    const char *count_file = argv[2];
    const double max_s = argc == 4 ? atof(argv[3]) : 3600;
    if (port < 0 || port > 65535 || !(max_s > 0 && max_s <= 86400)) {
        fprintf(stderr, "udp_sink: PORT is 0..65535, MAX_SECONDS (0, 86400]\n");
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; // no SA_RESTART: recvmmsg returns EINTR
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("udp_sink: socket");
        return 1;
    }
    const int want = 8 * 1024 * 1024;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    struct timeval tv = { 0, 100000 }; // wake up at least every 100 ms to rewrite the counts and see the deadline
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK); // 127.0.0.1 only
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("udp_sink: bind 127.0.0.1");
        return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(fd, (struct sockaddr *)&addr, &len);
    int rcvbuf = 0;
    socklen_t rlen = sizeof rcvbuf;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &rlen);

    enum { BATCH = 64, SIZE = 65536 };
    static char bufs[BATCH][SIZE];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    memset(msgs, 0, sizeof msgs);
    for (int i = 0; i < BATCH; i++) {
        iov[i].iov_base = bufs[i];
        iov[i].iov_len = SIZE;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }

    long long lines = 0, dgrams = 0;
    write_counts(count_file, 0, 0);
    printf("ready udp=127.0.0.1:%d rcvbuf=%d\n", ntohs(addr.sin_port), rcvbuf);
    fflush(stdout);
    const double start = now_s();
    double last = start;
    while (!g_stop) {
        const int n = recvmmsg(fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            perror("udp_sink: recvmmsg");
            break;
        }
        for (int i = 0; i < n; i++) {
            const char *p = bufs[i], *end = p + msgs[i].msg_len;
            dgrams++;
            while (p < end) {
                const char *nl = memchr(p, '\n', (size_t)(end - p));
                lines++;
                if (!nl)
                    break;
                p = nl + 1;
            }
        }
        const double t = now_s();
        if (t - last >= 0.1) {
            write_counts(count_file, lines, dgrams);
            last = t;
        }
        if (t - start > max_s)
            break;
    }
    write_counts(count_file, lines, dgrams);
    close(fd);
    return 0;
}
