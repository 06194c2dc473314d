/* UDP load generator for bench/udp_bench.ts.
 *   loadgen PORT throughput SECONDS INFLIGHT  -> {"pps":N}
 *     64-byte datagrams to 127.0.0.1:PORT, INFLIGHT outstanding; a reply sends the next one;
 *     a 5 ms silence refills the window (lost datagrams).
 *   loadgen PORT latency SECONDS RATE         -> {"p50us":x,"p99us":y,"lost":n,"samples":n}
 *     one 64-byte datagram every 1/RATE s, each stamped (CLOCK_MONOTONIC ns) and timed on return. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  if (argc < 5) { fprintf(stderr, "usage\n"); return 2; }
  int port = atoi(argv[1]);
  int latency = strcmp(argv[2], "latency") == 0;
  double seconds = atof(argv[3]);
  int param = atoi(argv[4]);
  /* "twamp": unauthenticated TWAMP test packets (seq at 0, timestamp at 4, error estimate
     multiplier 1); the reflector returns them at offsets 24 and 28. */
  int twamp = argc > 5 && strcmp(argv[5], "twamp") == 0;
  size_t seq_at = twamp ? 24 : 0, time_at = twamp ? 28 : 8;
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int buf = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("connect"); return 1; }
  unsigned char msg[64] = {0}, in[2048];
  if (twamp) msg[13] = 1;
  struct pollfd p = {fd, POLLIN, 0};
  uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);
  if (!latency) {
    uint64_t replies = 0, start = now_ns();
    int inflight = 0;
    while (now_ns() < end) {
      while (inflight < param) { send(fd, msg, sizeof msg, 0); inflight++; }
      int r = poll(&p, 1, 5);
      if (r == 0) { inflight = 0; continue; }
      for (;;) {
        ssize_t n = recv(fd, in, sizeof in, MSG_DONTWAIT);
        if (n < 0) break;
        replies++;
        if (inflight > 0) inflight--;
        if (inflight < param) { send(fd, msg, sizeof msg, 0); inflight++; }
      }
    }
    double secs = (now_ns() - start) / 1e9;
    printf("{\"pps\":%.0f}\n", replies / secs);
    return 0;
  }
  int max = (int)(seconds * param) + 1, samples = 0, lost = 0;
  uint64_t *rtt = calloc(max, sizeof *rtt), interval = 1000000000ull / param;
  uint64_t next = now_ns();
  for (uint32_t seq = 0; now_ns() < end && samples + lost < max; seq++) {
    struct timespec at = {(time_t)(next / 1000000000ull), (long)(next % 1000000000ull)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    next += interval;
    uint64_t t0 = now_ns();
    memcpy(msg, &seq, 4);
    memcpy(msg + (twamp ? 4 : 8), &t0, 8);
    send(fd, msg, sizeof msg, 0);
    for (;;) {
      int r = poll(&p, 1, 100);
      if (r <= 0) { lost++; break; }
      ssize_t n = recv(fd, in, sizeof in, MSG_DONTWAIT);
      if ((size_t)n < time_at + 8) continue;
      uint32_t s; uint64_t sent;
      memcpy(&s, in + seq_at, 4);
      memcpy(&sent, in + time_at, 8);
      if (s != seq) continue; /* a late reply to an earlier one */
      rtt[samples++] = now_ns() - sent;
      break;
    }
  }
  qsort(rtt, samples, sizeof *rtt, cmp);
  double p50 = samples ? rtt[samples / 2] / 1e3 : -1;
  double p99 = samples ? rtt[(int)(samples * 0.99)] / 1e3 : -1;
  printf("{\"p50us\":%.1f,\"p99us\":%.1f,\"lost\":%d,\"samples\":%d}\n", p50, p99, lost, samples);
  return 0;
}
