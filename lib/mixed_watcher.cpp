#include "lib/mixed_watcher.hpp"

#include <sys/inotify.h>
#include <sys/statfs.h>

#include <algorithm>

namespace fswait {

bool fanotify_cannot_mark(std::error_code ec) {
    // ENODEV: no filesystem id (FUSE); EOPNOTSUPP: no file handles, or no
    // mark of any kind; EXDEV: a btrfs subvolume on a kernel without inode
    // marks there either.
    return ec.value() == ENODEV || ec.value() == EOPNOTSUPP || ec.value() == EXDEV;
}

MixedWatcher::MixedWatcher(FanotifyGroup group, const WatcherOptions& opts)
    : opts_(opts), fan_(std::make_unique<FanotifyWatcher>(std::move(group), opts)) {
    fan_part_.backend = fan_.get();
}

int MixedWatcher::global_root(Part& part, int local) {
    if (local < static_cast<int>(part.to_global.size()) && part.to_global[static_cast<std::size_t>(local)] >= 0)
        return part.to_global[static_cast<std::size_t>(local)];
    if (local >= static_cast<int>(part.to_global.size())) part.to_global.resize(static_cast<std::size_t>(local) + 1, -1);
    part.to_global[static_cast<std::size_t>(local)] = static_cast<int>(roots_.size());
    roots_.emplace_back(part.backend, local);
    return part.to_global[static_cast<std::size_t>(local)];
}

Status MixedWatcher::open_inotify() {
    if (ino_) return {};
    UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd) return inotify_error(errno);
    ino_ = std::make_unique<InotifyWatcher>(std::move(fd), opts_);
    ino_->exclude(opts_.excluded);
    ino_part_.backend = ino_.get();
    return {};
}

// A FUSE filesystem mounted inside a tree: inotify watches it, and its
// events are numbered and named as parts of that tree.
Status MixedWatcher::watch_unmarked(int tree_root) {
    for (const TreeWatch::Unmarked& u : fan_->take_unmarked()) {
        if (auto s = open_inotify(); !s) return s;
        std::string path = fan_->root(u.root).path;
        if (path.empty() || path.back() != '/') path.push_back('/');
        path += u.rel;
        auto local = ino_->add(path, true);
        if (!local) return local.error();
        const auto i = static_cast<std::size_t>(*local);
        if (i >= ino_part_.to_global.size()) {
            ino_part_.to_global.resize(i + 1, -1);
            ino_part_.below.resize(i + 1);
        }
        ino_part_.to_global[i] = tree_root;
        ino_part_.below[i] = u.rel;
        fell_back({u.error, path});
    }
    return {};
}

namespace {

// FUSE and other filesystems report no filesystem id. Linux 6.8+ lets a
// fanotify group mark one such filesystem, but then no other: marking it
// would push every later path out of the group. inotify takes it instead.
bool without_fsid(const std::string& path) {
    struct statfs st;
    if (::statfs(path.c_str(), &st) < 0) return false;
    return st.f_fsid.__val[0] == 0 && st.f_fsid.__val[1] == 0;
}

}  // namespace

Result<int> MixedWatcher::add(const std::string& path, bool follow) {
    auto marked = without_fsid(path) ? Result<int>(errno_code(ENODEV)) : fan_->add(path, follow);
    if (marked) {
        const int root = global_root(fan_part_, *marked);
        if (auto s = watch_unmarked(root); !s) return s.error();
        return root;
    }
    if (!fanotify_cannot_mark(marked.error())) return marked.error();
    if (auto s = open_inotify(); !s) return s.error();
    auto watched = ino_->add(path, follow);
    if (!watched) return watched.error();
    fell_back({marked.error(), path});
    return global_root(ino_part_, *watched);
}

const Root& MixedWatcher::root(int i) const {
    const auto& [backend, local] = roots_[static_cast<std::size_t>(i)];
    return backend->root(local);
}

void MixedWatcher::exclude(std::vector<std::string> paths) {
    opts_.excluded = paths;  // for an inotify part opened later
    if (ino_) ino_->exclude(paths);
    fan_->exclude(std::move(paths));
}

std::vector<Watcher::PollSource> MixedWatcher::poll_sources() const {
    auto v = fan_->poll_sources();
    fan_sources_ = v.size();
    if (ino_)
        for (const PollSource& s : ino_->poll_sources()) v.push_back(s);
    return v;
}

MixedWatcher::Part* MixedWatcher::part_of(std::size_t& source) {
    if (source < fan_sources_) return &fan_part_;
    source -= fan_sources_;
    return ino_ ? &ino_part_ : nullptr;
}

namespace {

void prefix_dir(std::string& dir, const std::string& below) {
    if (below.empty()) return;
    dir = dir.empty() ? below : below + "/" + dir;
}

}  // namespace

void MixedWatcher::renumber(Part& part, std::vector<Event>& out, std::size_t first) {
    auto below = [&](int local) -> const std::string& {
        static const std::string none;
        const auto i = static_cast<std::size_t>(local);
        return i < part.below.size() ? part.below[i] : none;
    };
    for (std::size_t i = first; i < out.size(); ++i) {
        Event& e = out[i];
        if (e.root < 0) continue;
        prefix_dir(e.dir, below(e.root));
        e.root = global_root(part, e.root);
    }
    for (Unwatched& u : part.backend->take_unwatched()) {
        prefix_dir(u.dir, below(u.root));
        u.root = global_root(part, u.root);
        not_watched(std::move(u));
    }
}

Status MixedWatcher::dispatch(std::size_t source, std::vector<Event>& out) {
    Part* part = part_of(source);
    if (!part) return {};
    const std::size_t first = out.size();
    Status s = part->backend->dispatch(source, out);
    renumber(*part, out, first);
    return s;
}

Status MixedWatcher::read_queued(std::vector<Event>& out) {
    std::size_t first = out.size();
    Status s = fan_->read_queued(out);
    renumber(fan_part_, out, first);
    last_read_ = fan_->last_read_records();
    if (!ino_) return s;
    first = out.size();
    Status t = ino_->read_queued(out);
    renumber(ino_part_, out, first);
    last_read_ += ino_->last_read_records();
    return s ? t : s;
}

std::size_t MixedWatcher::queued_events() const {
    return fan_->queued_events() + (ino_ ? ino_->queued_events() : 0);
}

}  // namespace fswait
