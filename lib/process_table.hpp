// Who is behind a pid, read from /proc when a batch of events is read.
// This is the last-resort source of attribution: a process that has already
// exited is unknown (null). Within one batch each pid is read once.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "lib/event.hpp"
#include "lib/user_names.hpp"

namespace fswait {

class ProcessTable {
public:
    explicit ProcessTable(UserNames& users, std::string proc_root = "/proc")
        : users_(users), proc_root_(std::move(proc_root)) {}

    // Forget the previous batch's snapshots: pids may have been reused since.
    void begin_batch() { batch_.clear(); }

    // null when the process is gone (or pid is 0: the kernel gave none).
    std::shared_ptr<const Process> lookup(pid_t pid);

private:
    std::shared_ptr<const Process> read_proc(pid_t pid);

    UserNames& users_;
    std::string proc_root_;
    std::unordered_map<pid_t, std::shared_ptr<const Process>> batch_;
};

// Effective uid from the text of /proc/PID/status ("Uid:\treal\teffective...").
std::optional<uid_t> effective_uid_from_status(std::string_view status);

}  // namespace fswait
