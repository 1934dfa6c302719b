#include "lib/process_table.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "lib/unique_fd.hpp"

namespace fswait {
namespace {

// Reads a small /proc file relative to an open /proc/PID directory.
bool read_small(int dirfd, const char* name, std::string& out) {
    UniqueFd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC));
    if (!fd) return false;
    char buf[4096];
    out.clear();
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;
        out.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

std::optional<uid_t> effective_uid_from_status(std::string_view status) {
    auto pos = status.find("\nUid:");
    if (pos == std::string_view::npos) return std::nullopt;
    auto line = status.substr(pos + 5);
    line = line.substr(0, line.find('\n'));
    // Fields: real, effective, saved, filesystem; we want the second.
    int field = 0;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == '\t' || line[i] == ' ')) ++i;
        std::size_t start = i;
        while (i < line.size() && line[i] != '\t' && line[i] != ' ') ++i;
        if (start == i) break;
        if (++field == 2) {
            uid_t uid = 0;
            auto r = std::from_chars(line.data() + start, line.data() + i, uid);
            if (r.ec != std::errc() || r.ptr != line.data() + i) return std::nullopt;
            return uid;
        }
    }
    return std::nullopt;
}

std::shared_ptr<const Process> ProcessTable::read_proc(pid_t pid) {
    std::string dir = proc_root_ + "/" + std::to_string(pid);
    // Both files are read through one directory fd so that they describe the
    // same process even if the pid is reused in between.
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dfd) return nullptr;
    std::string comm, status;
    if (!read_small(dfd.get(), "comm", comm) || !read_small(dfd.get(), "status", status)) return nullptr;
    if (!comm.empty() && comm.back() == '\n') comm.pop_back();
    auto p = std::make_shared<Process>();
    p->pid = pid;
    p->comm = std::move(comm);
    p->uid = effective_uid_from_status(status);
    if (p->uid) p->user = users_.name(*p->uid);
    return p;
}

std::shared_ptr<const Process> ProcessTable::lookup(pid_t pid) {
    if (pid <= 0) return nullptr;
    auto it = batch_.find(pid);
    if (it != batch_.end()) return it->second;
    auto p = read_proc(pid);
    batch_.emplace(pid, p);
    return p;
}

}  // namespace fswait
