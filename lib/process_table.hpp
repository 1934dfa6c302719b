// Who is behind a pid, read from /proc when a batch of events is read.
// This is the last-resort source of attribution: a process that has already
// exited is unknown (null). Within one batch each pid is read once.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/event.hpp"
#include "lib/task_record.hpp"
#include "lib/unique_fd.hpp"
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
    int proc_dir(pid_t pid);

    UserNames& users_;
    std::string proc_root_;
    std::unordered_map<pid_t, std::shared_ptr<const Process>> batch_;
    // Open /proc/PID directories, kept across batches: a busy writer would
    // otherwise cost an open per batch. A directory fd of a process that has
    // died fails from then on, so a reused pid is never mistaken for it.
    std::unordered_map<pid_t, UniqueFd> dirs_;
};

struct ProcStatus {
    std::string comm;           // raw bytes, as ps -o comm
    std::optional<uid_t> euid;
};
// From an open /proc/PID directory, or by pid; nullopt when it is gone.
std::optional<ProcStatus> read_proc_status(int dirfd);
std::optional<ProcStatus> read_proc_status(const std::string& proc_root, pid_t pid);

// Every process under proc_root, as `exists` records stamped t.
std::vector<TaskRecord> walk_processes(const std::string& proc_root, std::uint64_t t);

// Effective uid from the text of /proc/PID/status ("Uid:\treal\teffective...").
std::optional<uid_t> effective_uid_from_status(std::string_view status);

// The command name from status's "Name:" line, when it is not escaped (the
// kernel escapes control bytes and backslashes there; comm then has the
// raw bytes).
std::optional<std::string> plain_name_from_status(std::string_view status);

}  // namespace fswait
