#include "lib/fanotify_watcher.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <unordered_set>

#include "lib/fanotify_mask.hpp"
#include "lib/mount_table.hpp"

namespace fswait {
namespace {

// ~3000 events per read on average; large enough that a burst costs few
// syscalls, small enough to keep the latency of the first line low.
constexpr std::size_t kReadBuffer = 256 * 1024;
// More than any one fanotify record: metadata and up to three file handles
// (at most 128 bytes each) with a name (at most 255 bytes) each.
constexpr std::size_t kMaxRecord = 4096;

enum Source : std::size_t { kFanotify, kMounts, kSeeding, kTasks };

// Where the root's mount is, and which device mountinfo gives it.
void locate_mount(Root& r) {
    r.mount_dir = r.info.is_dir ? r.path : r.path + "/..";
    auto table = read_mount_table();
    if (!table) return;
    for (const Mount& m : *table) {
        if (m.id != r.info.mount_id) continue;
        r.mount_dir = m.mount_point;
        r.mount_dev = m.dev;
        return;
    }
}

// -S: the mount point of the filesystem `path` is on (absolute).
Result<std::string> filesystem_of(const std::string& path, bool follow) {
    auto info = identify(path, follow);
    if (!info) return info.error();
    auto table = read_mount_table();
    if (!table) return table.error();
    for (const Mount& m : *table)
        if (m.id == info->mount_id) return m.mount_point;
    return errno_code(ENOENT);
}

}  // namespace

FanotifyWatcher::FanotifyWatcher(FanotifyGroup group, const WatcherOptions& opts)
    : group_(std::move(group)), opts_(opts), buf_(kReadBuffer), self_(::getpid()) {
    // fanotify says nothing when a watched filesystem is unmounted; the
    // mount table does (POLLPRI on every change).
    mountinfo_.reset(::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
    if (opts_.whole_filesystem) opts_.recursive = true;
    if (opts_.recursive) {
        tree_ = std::make_unique<TreeWatch>(group_, static_cast<EventSink&>(*this), opts_.report);
        if (opts_.whole_filesystem) tree_->one_filesystem();
        seed_ready_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    }
    if (opts_.attribute) attribution_ = std::make_unique<Attribution>();
}

std::vector<FanotifyWatcher::PollSource> FanotifyWatcher::poll_sources() const {
    // Asked for once the watches are placed: time for the exec marks.
    if (attribution_ && !exec_marked_) {
        attribution_->mark_exec_filesystems(group_.fd());
        exec_marked_ = true;
    }
    std::vector<PollSource> v{{group_.fd(), EPOLLIN, true}, {mountinfo_.get(), EPOLLPRI}};
    source_kinds_ = {kFanotify, kMounts};
    if (seed_ready_) {
        v.push_back({seed_ready_.get(), EPOLLIN});
        source_kinds_.push_back(kSeeding);
    }
    if (attribution_)
        for (int fd : attribution_->fds()) {
            v.push_back({fd, EPOLLIN});
            source_kinds_.push_back(kTasks);
        }
    return v;
}

Status FanotifyWatcher::dispatch(std::size_t source, std::vector<Event>& out) {
    out_ = &out;
    Status s;
    const std::size_t kind = source < source_kinds_.size() ? source_kinds_[source] : source;
    if (kind == kFanotify) s = read_events();
    else if (kind == kMounts) check_unmounts(out);
    else if (kind == kSeeding && tree_) tree_->seed_step();
    else if (kind == kTasks) drain_tasks();
    sync_seeding();
    out_ = nullptr;
    return s;
}

void FanotifyWatcher::sync_seeding() {
    if (!seed_ready_) return;
    bool want = tree_->seeding();
    if (want == seed_armed_) return;
    std::uint64_t v = 1;
    // The eventfd is level-triggered work: non-zero while there is a walk.
    if (want) (void)!::write(seed_ready_.get(), &v, sizeof v);
    else (void)!::read(seed_ready_.get(), &v, sizeof v);
    seed_armed_ = want;
}

Result<int> FanotifyWatcher::add(const std::string& typed, bool follow) {
    std::string path = typed;
    if (opts_.whole_filesystem) {
        auto point = filesystem_of(typed, follow);
        if (!point) return point.error();
        path = std::move(*point);
    }
    auto info = identify(path, follow);
    if (!info) return info.error();
    if (int existing = roots_.find(info->handle); existing >= 0 && roots_[existing].alive) return existing;
    const bool tree = tree_ && info->is_dir;
    if (!tree) {
        // DELETE_SELF is always asked for: inotify always tells when a watch
        // ends (IGNORED), and so must we.
        KindSet kinds = opts_.report | Kind::delete_self;
        auto mask = fan_mask_for(kinds, info->is_dir, group_.features().rename);
        if (auto s = group_.mark(path, mask, follow); !s) return s.error();
        if (tree_) tree_->protect_parent_of(path);
    }
    Root r;
    r.path = path;
    r.info = std::move(*info);
    locate_mount(r);
    FileHandle handle = r.info.handle;
    bool dir = r.info.is_dir;
    int idx = roots_.add(std::move(r));
    if (tree) {
        if (auto s = tree_->add_root(idx, path, handle, follow, opts_.excluded); !s) {
            roots_[idx].alive = false;
            return s.error();
        }
        sync_seeding();
    } else if (dir) {
        // After the mark: a subdirectory made meanwhile is seen by one or both.
        seed(idx, path, follow);
    }
    return idx;
}

void FanotifyWatcher::seed(int root, const std::string& path, bool follow) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW)));
    if (fd) children_.seed(root, fd.get());
}

Status FanotifyWatcher::read_queued(std::vector<Event>& out) { return dispatch(kFanotify, out); }

std::size_t FanotifyWatcher::queued_events() const {
    int queued = 0;
    if (::ioctl(group_.fd(), FIONREAD, &queued) < 0 || queued < 0) return 0;
    // fanotify counts only each event's metadata, whatever info follows it.
    return static_cast<std::size_t>(queued) / sizeof(fanotify_event_metadata);
}

Status FanotifyWatcher::read_events() {
    const std::uint64_t started = attribution_ ? monotonic_ns() : 0;
    last_read_ = 0;
    auto n = group_.read(buf_.data(), buf_.size());
    if (!n) return n.error();

    ::clock_gettime(CLOCK_REALTIME, &now_);
    records_.clear();
    auto parsed = parse_fanotify_buffer(std::string_view(buf_.data(), *n), records_);
    last_read_ = records_.size();
    if (!attribution_) {
        for (const FanRecord& r : records_) translate(r);
    } else {
        // Every event of this batch happened before the read returned.
        attribution_->begin_batch(records_, monotonic_ns());
        for (std::size_t i = 0; i < records_.size(); ++i) {
            if (!attribution_->exec_only(i)) translate(records_[i]);
            attribution_->finish_record(i);
        }
        // A read that left room for another record emptied the queue: what
        // comes next happened after it started. (A read stops short of the
        // end when the next record does not fit: that is not empty.)
        if (*n + kMaxRecord <= buf_.size()) attribution_->queue_empty_at(started);
    }
    if (tree_) tree_->end_batch();
    return parsed;
}

// Task sources woke us (a perf ring filling up, connector messages). When
// the queue is empty too, the cache can forget processes that exited.
void FanotifyWatcher::drain_tasks() {
    const std::uint64_t now = monotonic_ns();
    attribution_->drain();
    int queued = 0;
    if (::ioctl(group_.fd(), FIONREAD, &queued) == 0 && queued == 0) attribution_->queue_empty_at(now);
}

void FanotifyWatcher::check_unmounts(std::vector<Event>& out) {
    ::clock_gettime(CLOCK_REALTIME, &now_);
    auto table = read_mount_table();
    if (!table) return;
    std::unordered_set<dev_t> mounted;
    for (const Mount& m : *table) mounted.insert(m.dev);
    // inotify reports the unmount to every watch on that filesystem.
    for (int i = roots_.size() - 1; i >= 0; --i) {
        Root& r = roots_[i];
        if (!r.alive || r.mount_dev == 0 || mounted.count(r.mount_dev)) continue;
        Event e;
        e.kind = Kind::unmount;
        e.is_dir = r.info.is_dir;
        e.root = i;
        e.time = now_;
        out.push_back(std::move(e));
        end_root(i);
    }
}

std::uint32_t FanotifyWatcher::next_cookie() {
    if (++cookie_ == 0) ++cookie_;
    return cookie_;
}

void FanotifyWatcher::ignored(int root, std::string_view dir) {
    Event e;
    e.kind = Kind::ignored;
    e.root = root;
    e.dir = std::string(dir);
    e.time = now_;
    out_->push_back(std::move(e));
}

void FanotifyWatcher::end_root(int root) {
    Root& r = roots_[root];
    if (!r.alive) return;
    r.alive = false;
    ignored(root, {});
}

void FanotifyWatcher::deliver(int root, Kind kind, bool is_dir, std::string_view dir, std::string_view name,
                      std::uint32_t cookie, pid_t pid) {
    if (!roots_[root].alive) return;
    const bool on_root = dir.empty() && name.empty();
    if (opts_.report.has(kind)) {
        Event e;
        e.kind = kind;
        // inotify marks a directory's own DELETE_SELF and MOVE_SELF without ISDIR.
        e.is_dir = is_dir && !(name.empty() && kSelfKinds.has(kind));
        e.root = root;
        e.dir = std::string(dir);
        e.name = std::string(name);
        e.cookie = cookie;
        e.pid = pid;
        if (attribution_) e.process = attribution_->who(pid);
        e.time = now_;
        out_->push_back(std::move(e));
        if (opts_.oneshot) return end_root(root);
    }
    if (kind == Kind::delete_self && on_root) end_root(root);
}

void FanotifyWatcher::translate(const FanRecord& r) {
    if (r.mask & FAN_Q_OVERFLOW) {
        Event e;
        e.kind = Kind::overflow;
        e.time = now_;
        out_->push_back(std::move(e));
        repair_after_overflow();
        return;
    }
    if (r.pid == self_) return;
    if (tree_) {
        tree_->translate(r);
        translate_inode_marks(r, false);
        return;
    }
    if (r.mask & FAN_RENAME) translate_rename(r);
    translate_inode_marks(r, true);
}

// Lost events may have been creations, moves and deletions of directories:
// what the caches say about them is walked again from the roots.
void FanotifyWatcher::repair_after_overflow() {
    if (tree_) return tree_->reseed();
    children_.clear();
    for (int i = 0; i < roots_.size(); ++i) {
        const Root& r = roots_[i];
        if (!r.alive || !r.info.is_dir) continue;
        // By handle: the root may have been renamed since it was watched.
        UniqueFd mount(::open(r.mount_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!mount) continue;
        if (auto dir = open_handle(mount.get(), r.info.handle, O_RDONLY | O_DIRECTORY)) children_.seed(i, dir->get());
    }
}

// Directory roots (dirs) and file roots, each with its own inode mark.
void FanotifyWatcher::translate_inode_marks(const FanRecord& r, bool dirs) {
    const bool is_dir = r.mask & FAN_ONDIR;
    KindSet kinds = kinds_from_fan_mask(r.mask);
    const KindSet object_kinds = KindSet::from_bits(kinds.bits() & ~kEntryKinds.bits());
    const KindSet entry_kinds = KindSet::from_bits(kinds.bits() & ~kSelfKinds.bits());

    if (dirs && r.dir && r.name == ".") {
        // An event on a directory: inside a watched one (reported first, as
        // inotify does) and/or on a watched one itself.
        const auto parents = children_.lookup(*r.dir);
        int self = roots_.find_dir(*r.dir);
        for (Kind k : lifecycle_order(kinds)) {
            if (!kSelfKinds.has(k) && object_kinds.has(k))
                for (const auto& [root, name] : parents) deliver(root, k, true, {}, name, 0, r.pid);
            if (self >= 0 && object_kinds.has(k)) deliver(self, k, true, {}, {}, 0, r.pid);
        }
        return;
    }
    int dir_root = dirs && r.dir ? roots_.find_dir(*r.dir) : -1;
    int file_root = r.fid && !is_dir ? roots_.find_file(*r.fid) : -1;
    if (dir_root < 0 && file_root < 0) return;
    std::uint32_t cookie = 0;
    if (!group_.features().rename && kinds.intersects(Kind::moved_from | Kind::moved_to)) {
        // Before FAN_RENAME the halves arrive separately: pair them by pid.
        if (kinds.has(Kind::moved_from)) cookie = pending_moves_[r.pid] = next_cookie();
        else if (auto it = pending_moves_.find(r.pid); it != pending_moves_.end()) {
            cookie = it->second;
            pending_moves_.erase(it);
        } else cookie = next_cookie();
    }
    for (Kind k : lifecycle_order(kinds)) {
        if (dir_root >= 0 && entry_kinds.has(k)) deliver(dir_root, k, is_dir, {}, r.name, cookie, r.pid);
        if (file_root >= 0 && object_kinds.has(k)) deliver(file_root, k, false, {}, {}, 0, r.pid);
    }
    if (is_dir && dir_root >= 0) track_dirs(r, kinds);
}

// Keeps the subdirectory table current; runs after the record's events were
// delivered, so that they still name what the record is about.
void FanotifyWatcher::track_dirs(const FanRecord& r, KindSet kinds) {
    int root = roots_.find_dir(*r.dir);
    std::string name(r.name);
    const HandleView* child = r.fid ? &*r.fid : nullptr;
    if (kinds.has(Kind::delete_)) children_.deleted(root, name);
    if (kinds.has(Kind::moved_from)) children_.moved(root, name, -1, {}, nullptr);
    if (kinds.has(Kind::create) && !kinds.has(Kind::delete_)) children_.created(root, name, child);
    if (kinds.has(Kind::moved_to) && !kinds.has(Kind::moved_from)) children_.created(root, name, child);
}

void FanotifyWatcher::translate_rename(const FanRecord& r) {
    const bool is_dir = r.mask & FAN_ONDIR;
    int from = r.old_dir ? roots_.find_dir(*r.old_dir) : -1;
    int to = r.new_dir ? roots_.find_dir(*r.new_dir) : -1;
    if (from < 0 && to < 0) return;
    std::uint32_t cookie = next_cookie();
    if (from >= 0) deliver(from, Kind::moved_from, is_dir, {}, r.old_name, cookie, r.pid);
    if (to >= 0) deliver(to, Kind::moved_to, is_dir, {}, r.new_name, cookie, r.pid);
    if (is_dir)
        children_.moved(from, std::string(r.old_name), to, std::string(r.new_name), r.fid ? &*r.fid : nullptr);
}

}  // namespace fswait
