#include "lib/sys.hpp"

#include <poll.h>
#include <unistd.h>

namespace fswait {

ssize_t Sys::read(int fd, void* buf, std::size_t n) { return ::read(fd, buf, n); }

ssize_t Sys::write(int fd, const void* buf, std::size_t n) { return ::write(fd, buf, n); }

int Sys::wait_writable(int fd) {
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, -1);
}

Sys& real_sys() {
    static Sys sys;
    return sys;
}

}  // namespace fswait
