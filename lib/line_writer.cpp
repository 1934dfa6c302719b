#include "lib/line_writer.hpp"

#include <cerrno>

namespace fswait {

Status LineWriter::write(std::string_view bytes) {
    std::size_t done = 0;
    // A line the file could only take part of (a full disk) is taken back,
    // so that a log never holds a torn line.
    auto fail = [&](int err) -> Status {
        if (done > 0) {
            const int saved = err;
            (void)sys_.undo_append(fd_, done);
            err = saved;
        }
        return std::error_code(err, std::generic_category());
    };
    while (!bytes.empty()) {
        ssize_t n = sys_.write(fd_, bytes.data(), bytes.size());
        // write(2) accepting nothing would make this loop spin forever; it
        // means the device takes no more data.
        if (n == 0) return fail(ENOSPC);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            done += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
            if (sys_.wait_writable(fd_) < 0 && errno != EINTR) return fail(errno);
            continue;
        }
        return fail(errno);
    }
    return {};
}

}  // namespace fswait
