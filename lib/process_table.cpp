#include "lib/process_table.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <climits>

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
        out.append(buf, static_cast<std::size_t>(n));
        // /proc hands out a small file whole: a short read is the end, and
        // saves the read that would return 0 (this runs once per batch).
        if (n < static_cast<ssize_t>(sizeof buf)) return true;
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

std::optional<std::string> plain_name_from_status(std::string_view status) {
    if (status.rfind("Name:", 0) != 0) return std::nullopt;
    auto line = status.substr(5, status.find('\n') == std::string_view::npos ? std::string_view::npos
                                                                           : status.find('\n') - 5);
    if (!line.empty() && line.front() == '\t') line.remove_prefix(1);
    if (line.find('\\') != std::string_view::npos) return std::nullopt;
    return std::string(line);
}

int ProcessTable::proc_dir(pid_t pid) {
    auto it = dirs_.find(pid);
    if (it != dirs_.end()) return it->second.get();
    constexpr std::size_t kMaxDirs = 256;
    if (dirs_.size() >= kMaxDirs) dirs_.clear();
    std::string dir = proc_root_ + "/" + std::to_string(pid);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return -1;
    return dirs_.emplace(pid, std::move(fd)).first->second.get();
}

std::optional<ProcStatus> read_proc_status(int dirfd) {
    std::string status;
    if (!read_small(dirfd, "status", status)) return std::nullopt;
    ProcStatus st;
    if (auto name = plain_name_from_status(status)) {
        st.comm = std::move(*name);
    } else {
        if (!read_small(dirfd, "comm", st.comm)) return std::nullopt;
        if (!st.comm.empty() && st.comm.back() == '\n') st.comm.pop_back();
    }
    st.euid = effective_uid_from_status(status);
    return st;
}

std::optional<ProcStatus> read_proc_status(const std::string& proc_root, pid_t pid) {
    std::string dir = proc_root + "/" + std::to_string(pid);
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    return read_proc_status(fd.get());
}

std::vector<TaskRecord> walk_processes(const std::string& proc_root, std::uint64_t t) {
    std::vector<TaskRecord> out;
    DIR* d = ::opendir(proc_root.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        pid_t pid = 0;
        std::string_view name(e->d_name);
        auto r = std::from_chars(name.data(), name.data() + name.size(), pid);
        if (r.ec != std::errc() || r.ptr != name.data() + name.size() || pid <= 0) continue;
        auto st = read_proc_status(proc_root, pid);
        if (!st) continue;  // exited meanwhile
        TaskRecord rec;
        rec.type = TaskRecord::Type::exists;
        rec.t = t;
        rec.pid = pid;
        rec.comm = std::move(st->comm);
        rec.euid = st->euid;
        char exe[PATH_MAX];
        std::string link = proc_root + "/" + std::to_string(pid) + "/exe";
        ssize_t n = ::readlink(link.c_str(), exe, sizeof exe);
        if (n > 0) rec.exe.assign(exe, static_cast<std::size_t>(n));
        out.push_back(std::move(rec));
    }
    ::closedir(d);
    return out;
}

std::shared_ptr<const Process> ProcessTable::read_proc(pid_t pid) {
    const bool cached = dirs_.count(pid) != 0;
    int dfd = proc_dir(pid);
    if (dfd < 0) return nullptr;
    auto st = read_proc_status(dfd);
    if (!st) {
        // The process is gone; if the directory was an old one, the pid may
        // belong to a new process now: look once more, as a first lookup would.
        dirs_.erase(pid);
        if (!cached) return nullptr;
        dfd = proc_dir(pid);
        if (dfd < 0 || !(st = read_proc_status(dfd))) {
            dirs_.erase(pid);
            return nullptr;
        }
    }
    auto p = std::make_shared<Process>();
    p->pid = pid;
    p->comm = std::move(st->comm);
    p->uid = st->euid;
    if (p->uid) p->user = users_.name(*p->uid);
    char exe[PATH_MAX];
    ssize_t n = ::readlinkat(dfd, "exe", exe, sizeof exe);
    if (n > 0) p->exe.assign(exe, static_cast<std::size_t>(n));
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
