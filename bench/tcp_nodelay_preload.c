// SPDX-License-Identifier: AGPL-3.0-or-later
// bench/tcp_nodelay_preload.c: an LD_PRELOAD shim that sets TCP_NODELAY on
// every socket the process accepts. Only for the experiment in
// bench/RESULTS.md ("Reviewers' case list at 10,000 cases in Chromium"): a
// streamed response (headers, then the body in a second write) waited ~40 ms
// for the client's delayed ACK (Nagle) on a kept-alive connection. Not built
// by CMake:
//   gcc -O2 -shared -fPIC -o /tmp/nodelay.so bench/tcp_nodelay_preload.c -ldl
//   LD_PRELOAD=/tmp/nodelay.so ASAN_OPTIONS=verify_asan_link_order=0 safehouse serve ...
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static int nodelay(int fd) {
  if (fd >= 0) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  return fd;
}

int accept(int s, struct sockaddr *a, socklen_t *l) {
  static int (*next)(int, struct sockaddr *, socklen_t *);
  if (!next) next = (int (*)(int, struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "accept");
  return nodelay(next(s, a, l));
}

int accept4(int s, struct sockaddr *a, socklen_t *l, int flags) {
  static int (*next)(int, struct sockaddr *, socklen_t *, int);
  if (!next) next = (int (*)(int, struct sockaddr *, socklen_t *, int))dlsym(RTLD_NEXT, "accept4");
  return nodelay(next(s, a, l, flags));
}
