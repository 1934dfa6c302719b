// The syscalls whose failures the unit tests must be able to inject
// (EINTR, EAGAIN, short writes, ENOSPC, EIO; EMFILE, ENFILE and ESTALE from
// open_by_handle_at). Everything else calls libc.
#pragma once

#include <sys/types.h>

#include <cstddef>

struct file_handle;

namespace fswait {

class Sys {
public:
    virtual ~Sys() = default;
    virtual ssize_t read(int fd, void* buf, std::size_t n);
    virtual ssize_t write(int fd, const void* buf, std::size_t n);
    // Waits until fd is writable; used after EAGAIN on a non-blocking output.
    virtual int wait_writable(int fd);
    // Takes back the last n bytes this process wrote at the end of a regular
    // file (a line cut short by ENOSPC); -1 (ESPIPE...) where it cannot.
    virtual int undo_append(int fd, std::size_t n);
    // open_by_handle_at(2): the one call of handle resolution that fails in
    // ways the callers must tell apart (the object is gone, or no fd is left).
    virtual int open_by_handle_at(int mount_fd, file_handle* handle, int flags);
};

Sys& real_sys();

}  // namespace fswait
