#include "lib/line_writer.hpp"

#include <cerrno>

namespace fswait {

Status LineWriter::write(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = sys_.write(fd_, bytes.data(), bytes.size());
        // write(2) accepting nothing would make this loop spin forever; it
        // means the device takes no more data.
        if (n == 0) return std::error_code(ENOSPC, std::generic_category());
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN) {
            if (sys_.wait_writable(fd_) < 0 && errno != EINTR) return errno_code();
            continue;
        }
        return errno_code();
    }
    return {};
}

}  // namespace fswait
