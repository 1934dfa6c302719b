// Writes whole records (one event line) to an fd with a single write(2)
// whenever the kernel allows it, so that `>>` logs rotated with
// copytruncate never get torn or merged lines.
#pragma once

#include <string_view>

#include "lib/result.hpp"
#include "lib/sys.hpp"

namespace fswait {

class LineWriter {
public:
    explicit LineWriter(int fd, Sys& sys = real_sys()) : fd_(fd), sys_(sys) {}

    // Retries EINTR, finishes short writes and waits out EAGAIN (an inherited
    // non-blocking stdout). Any other error is returned; nothing is retried.
    Status write(std::string_view bytes);

    int fd() const { return fd_; }
    // Writes go to `fd` from now on (a reopened log file).
    void set_fd(int fd) { fd_ = fd; }

private:
    int fd_;
    Sys& sys_;
};

}  // namespace fswait
