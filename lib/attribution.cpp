#include "lib/attribution.hpp"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <string>
#include <unordered_set>

#include "lib/mount_table.hpp"

namespace fswait {
namespace {

// The ELF interpreter is opened for exec after the binary (and after a
// script's interpreter); it names nothing and ends the exec's opens.
bool is_loader(std::string_view name) {
    return name.rfind("ld-linux", 0) == 0 || name.rfind("ld-musl", 0) == 0 || name.rfind("ld.so", 0) == 0;
}

// perf's rings hold what happens while fswait is stopped or behind: about
// 160 bytes per process (fork, exec, exit). 1 MiB per CPU keeps ~6,500
// processes per CPU; the total stays under 16 MiB on large machines.
std::size_t perf_pages_per_cpu() {
    const long cpus = std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN));
    const long page = ::sysconf(_SC_PAGESIZE);
    std::size_t bytes = std::clamp<long>((16L << 20) / cpus, 64L << 10, 1L << 20);
    std::size_t pages = bytes / static_cast<std::size_t>(page);
    std::size_t pow2 = 1;  // perf wants a power of two
    while (pow2 * 2 <= pages) pow2 *= 2;
    return pow2;
}

}  // namespace

std::uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

Attribution::Attribution(std::string proc_root)
    : proc_root_(std::move(proc_root)), proc_(users_, proc_root_), self_(::getpid()) {
    // The sources, then the walk: an exec between the two is seen by the
    // walk. The exec marks come later (see mark_exec_filesystems).
    if (auto p = PerfTasks::open(perf_pages_per_cpu())) perf_ = std::move(*p);
    if (auto c = ProcConnector::open(proc_root_)) connector_ = std::move(*c);
    tick_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    if (tick_) {
        itimerspec every{{0, 100'000'000}, {0, 100'000'000}};
        ::timerfd_settime(tick_.get(), 0, &every, nullptr);
    }
    stats_.perf = perf_.has_value();
    stats_.connector = connector_.has_value();
    const std::uint64_t now = monotonic_ns();
    drain();
    for (const TaskRecord& r : walk_processes(proc_root_, now)) tracker_.ingest(r);
}

void Attribution::mark_exec_filesystems(int fanotify_fd) {
    auto table = read_mount_table();
    if (!table) return;
    std::unordered_set<dev_t> done;
    for (const Mount& m : *table) {
        if (m.noexec || is_pseudo_filesystem(m.fstype) || !done.insert(m.dev).second) continue;
        // Refusals (btrfs subvolumes, overlayfs, FUSE) leave that
        // filesystem's execs to perf and the connector.
        if (::fanotify_mark(fanotify_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_OPEN_EXEC, AT_FDCWD,
                            m.mount_point.c_str()) != 0)
            continue;
        ++stats_.exec_marks;
        // Kept by path, not by an open fd, which would keep the
        // filesystem from being unmounted.
        UniqueFd dir(::open(m.mount_point.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (std::uint64_t fsid = dir ? fsid_of_fd(dir.get()) : 0) mount_points_.try_emplace(fsid, m.mount_point);
    }
}

std::vector<int> Attribution::fds() const {
    std::vector<int> v;
    if (perf_) v = perf_->fds();
    if (connector_) v.push_back(connector_->fd());
    if (tick_) v.push_back(tick_.get());
    return v;
}

void Attribution::drain() {
    std::uint64_t ticks;
    if (tick_) (void)!::read(tick_.get(), &ticks, sizeof ticks);
    pending_records_.clear();
    // The connector first: a message it holds (a uid change) was sent after
    // the perf records of that process's fork, so they are in the rings by
    // the time the rings are read; the other order could see the change
    // before the process exists.
    if (connector_) connector_->drain(pending_records_, !perf_, monotonic_ns());
    if (perf_) perf_->drain(pending_records_);
    std::stable_sort(pending_records_.begin(), pending_records_.end(),
                     [](const TaskRecord& a, const TaskRecord& b) { return a.t < b.t; });
    for (const TaskRecord& r : pending_records_) tracker_.ingest(r);
}

void Attribution::begin_batch(const std::vector<FanRecord>& records, std::uint64_t hi) {
    records_ = &records;
    hi_ = hi;
    proc_.begin_batch();
    drain();
    find_execs(records);
    wait_for_exec_records();
}

void Attribution::find_execs(const std::vector<FanRecord>& records) {
    anchors_.assign(records.size(), 0);
    execs_ahead_.clear();
    if (in_exec_.size() > 4096) in_exec_.clear();  // static binaries never close theirs
    for (std::size_t i = 0; i < records.size(); ++i) {
        const FanRecord& r = records[i];
        if (!(r.mask & FAN_OPEN_EXEC)) {
            in_exec_.erase(r.pid);
            continue;
        }
        if (!(r.mask & ~static_cast<std::uint64_t>(FAN_OPEN_EXEC | FAN_ONDIR))) anchors_[i] |= kOnlyExec;
        if (r.pid <= 0 || r.pid == self_) continue;
        auto [it, fresh] = in_exec_.try_emplace(r.pid, true);
        const bool loader = is_loader(r.name);
        if (fresh) {
            // The first open of an execve: the binary (or the script).
            anchors_[i] |= kExecStart;
            ++execs_ahead_[r.pid];
            if (loader) in_exec_.erase(it);
        } else if (loader) {
            in_exec_.erase(it);
        }
    }
}

// perf writes an exec's record as the exec completes, microseconds after
// the binary was opened: an exec read in-band at the very end of a batch
// may not have its record yet.
void Attribution::wait_for_exec_records() {
    if (!perf_) return;
    for (int tries = 0; tries < 5; ++tries) {
        bool missing = false;
        for (const auto& [pid, n] : execs_ahead_)
            if (n > 0 && tracker_.next_exec_time(pid) == kNever) missing = true;
        if (!missing) return;
        ::usleep(100);
        drain();
    }
}

std::shared_ptr<const Process> Attribution::who(pid_t pid) {
    if (pid <= 0) return nullptr;
    std::uint64_t before = hi_;
    // Before this pid's next in-band exec: the exec had not happened yet.
    if (auto it = execs_ahead_.find(pid); it != execs_ahead_.end() && it->second > 0) {
        std::uint64_t t = tracker_.next_exec_time(pid);
        if (t != kNever && t > 0) before = std::min(before, t - 1);
    }
    auto w = tracker_.attribute(pid, before);
    switch (w.answer) {
    case ProcessTracker::Answer::ambiguous: return nullptr;
    case ProcessTracker::Answer::unknown: ++stats_.proc_reads; return proc_.lookup(pid);
    case ProcessTracker::Answer::known: break;
    }
    if ((w.process->comm.empty() || !w.process->uid) && w.alive) {
        // Only in-band learning knew it (no task source here): what is
        // missing comes from /proc, which is still this process.
        ++stats_.proc_reads;
        if (auto live = proc_.lookup(pid)) {
            auto merged = std::make_shared<Process>(*w.process);
            if (merged->comm.empty()) merged->comm = live->comm;
            if (!merged->uid) {
                merged->uid = live->uid;
                merged->user = live->user;
            }
            return merged;
        }
    }
    return w.process;
}

// The executed file's path: its directory (from the record's handle,
// cached: most programs live in a few directories) and its name.
std::string Attribution::executable(const FanRecord& r) {
    if (!r.dir || r.name.empty()) return {};
    FileHandle h = FileHandle::from(*r.dir);
    auto it = exec_dirs_.find(h);
    if (it == exec_dirs_.end()) {
        auto m = mount_points_.find(h.fsid);
        if (m == mount_points_.end()) return {};
        // Not O_PATH: open_by_handle_at refuses an O_PATH mount fd (EBADF).
        UniqueFd mount(::open(m->second.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!mount || fsid_of_fd(mount.get()) != h.fsid) return {};
        auto fd = open_handle(mount.get(), h, O_PATH);
        if (!fd) return {};
        char buf[PATH_MAX];
        std::string link = "/proc/self/fd/" + std::to_string(fd->get());
        ssize_t n = ::readlink(link.c_str(), buf, sizeof buf);
        if (n <= 0 || buf[0] != '/') return {};
        if (exec_dirs_.size() >= 1024) exec_dirs_.clear();
        it = exec_dirs_.emplace(std::move(h), std::string(buf, static_cast<std::size_t>(n))).first;
    }
    std::string exe = it->second;
    if (exe != "/") exe += '/';
    exe += r.name;
    return exe;
}

void Attribution::finish_record(std::size_t i) {
    if (!(anchors_[i] & kExecStart)) return;
    const FanRecord& r = (*records_)[i];
    tracker_.exec_seen(r.pid, r.name, hi_, executable(r));
    if (auto it = execs_ahead_.find(r.pid); it != execs_ahead_.end()) --it->second;
}

AttributionStats Attribution::stats() const {
    AttributionStats s = stats_;
    if (perf_) s.perf_lost = perf_->lost();
    if (connector_) s.connector_overruns = connector_->overruns();
    s.generations = tracker_.generations();
    s.tracker = tracker_.stats();
    return s;
}

}  // namespace fswait
