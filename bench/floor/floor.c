/* The least a UDP server can spend per request, for bench/sip_load.sh:
     floor PORT          one blocking recvfrom, the answer, one sendto;
     floor PORT batch    a blocking recvmmsg of up to 32 datagrams (it returns as soon as one is
                         there: MSG_WAITFORONE), the answer for each, one sendmmsg per batch.
   The answer is a 489 made of the request's Via, From, To (plus a tag), Call-ID and CSeq lines.
   No checks, no state. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#define N 32
static int starts(const char* l, const char* name) { return strncmp(l, name, strlen(name)) == 0; }
/* Writes the 489 for the NUL-terminated request `in` into `out`; its length, 0 for no answer. */
static int answer(const char* in, char* out, size_t cap) {
  const char* l = strstr(in, "\r\n");
  if (!l) return 0;
  int o = sprintf(out, "SIP/2.0 489 Bad Event\r\n");
  for (l += 2; *l && *l != '\r';) {
    const char* e = strstr(l, "\r\n");
    if (!e || o + (e - l) + 32 > (long)cap) break;
    if (starts(l, "Via:") || starts(l, "From:") || starts(l, "Call-ID:") || starts(l, "CSeq:")) {
      memcpy(out + o, l, (size_t)(e - l) + 2);
      o += (int)(e - l) + 2;
    } else if (starts(l, "To:")) {
      memcpy(out + o, l, (size_t)(e - l));
      o += (int)(e - l);
      o += sprintf(out + o, ";tag=f1\r\n");
    }
    l = e + 2;
  }
  o += sprintf(out + o, "Content-Length: 0\r\n\r\n");
  return o;
}
int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int batch = argc > 2 && strcmp(argv[2], "batch") == 0;
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in a = {0};
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr*)&a, sizeof a) != 0) return 1;
  static char in[N][65536], out[N][8192];
  static struct sockaddr_in from[N];
  static struct iovec iv[N], ov[N];
  static struct mmsghdr rm[N], sm[N];
  for (;;) {
    if (!batch) {
      socklen_t fl = sizeof from[0];
      ssize_t n = recvfrom(s, in[0], sizeof in[0] - 1, 0, (struct sockaddr*)&from[0], &fl);
      if (n <= 0) continue;
      in[0][n] = 0;
      int o = answer(in[0], out[0], sizeof out[0]);
      if (o > 0) sendto(s, out[0], (size_t)o, 0, (struct sockaddr*)&from[0], fl);
      continue;
    }
    for (int i = 0; i < N; ++i) {
      iv[i].iov_base = in[i];
      iv[i].iov_len = sizeof in[i] - 1;
      memset(&rm[i], 0, sizeof rm[i]);
      rm[i].msg_hdr.msg_name = &from[i];
      rm[i].msg_hdr.msg_namelen = sizeof from[i];
      rm[i].msg_hdr.msg_iov = &iv[i];
      rm[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(s, rm, N, MSG_WAITFORONE, NULL);
    if (n <= 0) continue;
    int k = 0;
    for (int i = 0; i < n; ++i) {
      in[i][rm[i].msg_len] = 0;
      int o = answer(in[i], out[k], sizeof out[k]);
      if (o == 0) continue;
      ov[k].iov_base = out[k];
      ov[k].iov_len = (size_t)o;
      memset(&sm[k], 0, sizeof sm[k]);
      sm[k].msg_hdr.msg_name = &from[i];
      sm[k].msg_hdr.msg_namelen = rm[i].msg_hdr.msg_namelen;
      sm[k].msg_hdr.msg_iov = &ov[k];
      sm[k].msg_hdr.msg_iovlen = 1;
      ++k;
    }
    if (k > 0) sendmmsg(s, sm, (unsigned)k, 0);
  }
}
