// /proc/self/mountinfo: which superblocks are mounted, and where.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/result.hpp"

namespace fswait {

struct Mount {
    int id = 0;
    int parent = 0;
    dev_t dev = 0;
    std::string root;         // path inside the filesystem that is mounted
    std::string mount_point;  // unescaped
    std::string fstype;
    bool noexec = false;      // mounted noexec: nothing on it can be executed
};

// Parses mountinfo text; malformed lines are skipped (the kernel writes it,
// but a test or a future field must not make us crash).
std::vector<Mount> parse_mountinfo(std::string_view text);

// Kernel interface filesystems (proc, sysfs, cgroup...): no user files, no
// executables, and some refuse filesystem marks.
bool is_pseudo_filesystem(std::string_view fstype);

Result<std::vector<Mount>> read_mount_table(const char* path = "/proc/self/mountinfo");

}  // namespace fswait
