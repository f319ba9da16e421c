// Diagnostic only: LD_PRELOAD this into the server to set TCP_NODELAY on every accepted socket,
// to measure what Nagle's algorithm costs it (scripts/bench.sh with BENCH_FORCE_NODELAY=1).
// Build: cc -O2 -shared -fPIC -o nodelay_preload.so nodelay_preload.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void set_nodelay(int fd) {
  if (fd < 0) return;
  int one = 1;
  // Fails harmlessly (ENOPROTOOPT / EOPNOTSUPP) on sockets that are not TCP.
  (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int accept(int fd, struct sockaddr* addr, socklen_t* len) {
  static int (*real)(int, struct sockaddr*, socklen_t*);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*))dlsym(RTLD_NEXT, "accept");
  int c = real(fd, addr, len);
  set_nodelay(c);
  return c;
}

int accept4(int fd, struct sockaddr* addr, socklen_t* len, int flags) {
  static int (*real)(int, struct sockaddr*, socklen_t*, int);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*, int))dlsym(RTLD_NEXT, "accept4");
  int c = real(fd, addr, len, flags);
  set_nodelay(c);
  return c;
}
