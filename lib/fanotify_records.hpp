// Parsing of the bytes read(2) returns from a fanotify group in FID mode.
// Pure code over a buffer, so that malformed input can be unit-tested and
// fuzzed without a kernel.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/result.hpp"

namespace fswait {

// A file handle as it appears in an info record: filesystem id, handle type
// and the opaque handle bytes (pointing into the read buffer).
struct HandleView {
    std::uint64_t fsid = 0;
    int type = 0;
    std::string_view bytes;
};

struct FanRecord {
    std::uint64_t mask = 0;
    pid_t pid = 0;
    std::optional<HandleView> fid;  // the object itself
    std::optional<HandleView> dir;  // the directory (DFID or DFID_NAME)
    std::string_view name;          // entry name in `dir` ("." = dir itself)
    std::optional<HandleView> old_dir, new_dir;  // FAN_RENAME
    std::string_view old_name, new_name;
};

// Appends one FanRecord per event in buf. Returns EBADMSG when the buffer is
// malformed; the records before the bad one are kept. Event fds (never
// expected in FID mode) are closed.
Status parse_fanotify_buffer(std::string_view buf, std::vector<FanRecord>& out);

}  // namespace fswait
