// What a process source (perf task records, the proc connector, /proc) says
// happened to a process, stamped with CLOCK_MONOTONIC so that records of
// different sources can be put in one order.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fswait {

struct TaskRecord {
    enum class Type : std::uint8_t {
        exists,  // found in /proc at start: comm and euid as they are now
        fork,    // a new process (thread-group) `pid`, child of `parent`
        exec,    // pid ran execve; comm is the new name ("" = not known)
        rename,  // prctl(PR_SET_NAME) on the thread-group leader
        uid,     // the effective uid changed (setuid family, setuid binary)
        exit,    // the thread-group leader exited
    };
    Type type = Type::exists;
    std::uint64_t t = 0;  // CLOCK_MONOTONIC, ns
    pid_t pid = 0;        // thread-group id, as the reader's pid namespace sees it
    pid_t parent = 0;     // fork only
    std::string comm;     // exists, exec, rename
    std::optional<uid_t> euid;  // exists, uid
    std::string exe;      // exists: the executable's path ("" = not known)
};

// The kernel's comm is at most 15 bytes (TASK_COMM_LEN - 1).
inline std::string truncate_comm(std::string_view name) {
    return std::string(name.substr(0, 15));
}

}  // namespace fswait
