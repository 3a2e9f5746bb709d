/* LD_PRELOAD experiment (benches only, not part of Beacon): set TCP_NODELAY on every TCP socket
 * a process connects, to measure what Beacon's fan-out would do without Nagle's algorithm
 * delaying lettre's separate "\r\n.\r\n" write behind the sink's delayed ACK.
 *   cc -shared -fPIC -O2 -o nodelay_shim.so benches/nodelay_shim.c -ldl
 *   LD_PRELOAD=./nodelay_shim.so beacon send ...                                          */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

int connect(int fd, const struct sockaddr *addr, socklen_t len) {
    static int (*real)(int, const struct sockaddr *, socklen_t);
    if (!real) real = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "connect");
    if (addr && (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    return real(fd, addr, len);
}
