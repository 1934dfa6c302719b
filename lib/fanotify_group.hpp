// One fanotify notification group in FID mode, with its features detected
// by trying flags at run time (never by parsing the kernel version).
#pragma once

#include <cstdint>
#include <string>

#include "lib/result.hpp"
#include "lib/sys.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

// How the kernel queue is sized: unlimited (nothing is lost while the reader
// catches up, at the price of kernel memory charged to our cgroup) or the
// kernel's fs.fanotify.max_queued_events (past it: one FAN_Q_OVERFLOW).
enum class QueuePolicy { unlimited, bounded };

struct GroupFeatures {
    bool unlimited_queue = false;
    bool target_fid = false;  // FAN_REPORT_TARGET_FID (5.17): child handles on entry events
    bool rename = false;      // FAN_RENAME (5.17)
};

class FanotifyGroup {
public:
    // EPERM when the caller lacks CAP_SYS_ADMIN: without it fanotify reports
    // pid 0 for other processes, so attribution would be impossible.
    static Result<FanotifyGroup> open(QueuePolicy queue = QueuePolicy::unlimited);

    // Adds an inode mark on the object `path` names.
    Status mark(const std::string& path, std::uint64_t mask, bool follow);
    // One non-blocking read of as many queued events as fit in buf.
    Result<std::size_t> read(char* buf, std::size_t n, Sys& sys = real_sys());

    int fd() const { return fd_.get(); }
    const GroupFeatures& features() const { return features_; }

private:
    FanotifyGroup(UniqueFd fd, GroupFeatures f) : fd_(std::move(fd)), features_(f) {}
    void probe_rename();

    UniqueFd fd_;
    GroupFeatures features_;
};

}  // namespace fswait
