#include "lib/sys.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace fswait {

ssize_t Sys::read(int fd, void* buf, std::size_t n) { return ::read(fd, buf, n); }

ssize_t Sys::write(int fd, const void* buf, std::size_t n) { return ::write(fd, buf, n); }

int Sys::wait_writable(int fd) {
    pollfd p{fd, POLLOUT, 0};
    return ::poll(&p, 1, -1);
}

int Sys::undo_append(int fd, std::size_t n) {
    struct stat st;
    if (::fstat(fd, &st) < 0) return -1;
    if (!S_ISREG(st.st_mode)) {
        errno = ESPIPE;
        return -1;
    }
    // After an O_APPEND write the offset is the end of what we wrote.
    off_t end = ::lseek(fd, 0, SEEK_CUR);
    if (end < 0 || static_cast<std::size_t>(end) < n) return -1;
    return ::ftruncate(fd, end - static_cast<off_t>(n));
}

int Sys::open_by_handle_at(int mount_fd, file_handle* handle, int flags) {
    return ::open_by_handle_at(mount_fd, handle, flags);
}

Sys& real_sys() {
    static Sys sys;
    return sys;
}

}  // namespace fswait
