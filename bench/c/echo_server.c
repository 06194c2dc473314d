/* Reference UDP echo server for bench/udp_bench.ts: one thread.
 * Usage: echo_server PORT [mmsg]   (prints the bound port, then echoes until killed)
 *   default: recvfrom/sendto, one datagram per call (the reference the ratios use)
 *   mmsg:    recvmmsg (MSG_WAITFORONE) / sendmmsg, batches of up to 64 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define BATCH 64
#define SLOT 9216

int main(int argc, char **argv) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons(argc > 1 ? atoi(argv[1]) : 0);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int buf = 1 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) { perror("bind"); return 1; }
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  printf("%d\n", ntohs(a.sin_port));
  fflush(stdout);
  if (argc > 2 && strcmp(argv[2], "mmsg") == 0) {
    static char data[BATCH][SLOT];
    static struct sockaddr_in names[BATCH];
    static struct iovec rio[BATCH], sio[BATCH];
    static struct mmsghdr rv[BATCH], sv[BATCH];
    for (int i = 0; i < BATCH; i++) {
      rio[i].iov_base = data[i];
      rio[i].iov_len = SLOT;
      rv[i].msg_hdr.msg_name = &names[i];
      rv[i].msg_hdr.msg_iov = &rio[i];
      rv[i].msg_hdr.msg_iovlen = 1;
      sv[i].msg_hdr.msg_iov = &sio[i];
      sv[i].msg_hdr.msg_iovlen = 1;
    }
    for (;;) {
      for (int i = 0; i < BATCH; i++) rv[i].msg_hdr.msg_namelen = sizeof names[i];
      int got = recvmmsg(fd, rv, BATCH, MSG_WAITFORONE, NULL);
      if (got <= 0) continue;
      for (int i = 0; i < got; i++) {
        sv[i].msg_hdr.msg_name = &names[i];
        sv[i].msg_hdr.msg_namelen = rv[i].msg_hdr.msg_namelen;
        sio[i].iov_base = data[i];
        sio[i].iov_len = rv[i].msg_len;
      }
      for (int done = 0; done < got;) {
        int n = sendmmsg(fd, sv + done, got - done, 0);
        done += n > 0 ? n : 1;
      }
    }
  }
  char data[SLOT];
  for (;;) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(fd, data, sizeof data, 0, (struct sockaddr *)&from, &fl);
    if (n >= 0) sendto(fd, data, n, 0, (struct sockaddr *)&from, fl);
  }
}
