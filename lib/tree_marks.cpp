#include "lib/tree_marks.hpp"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/fanotify.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>
#include <deque>

#include "lib/child_dirs.hpp"
#include "lib/dir_scan.hpp"
#include "lib/mount_table.hpp"
#include "lib/tree_watch.hpp"

namespace fswait {

using tree_detail::join;
using tree_detail::key_of;
using tree_detail::strip_slashes;

namespace {

std::uint64_t fsid_of_path(const std::string& path) {
    struct statfs st;
    if (::statfs(path.c_str(), &st) < 0) return 0;
    std::uint64_t v = 0;
    std::memcpy(&v, &st.f_fsid, sizeof v);
    return v;
}

}  // namespace

bool refused_filesystem_mark(int err) {
    // EXDEV: btrfs subvolume; EOPNOTSUPP: overlayfs, proc; ENODEV: fsid 0.
    return err == EXDEV || err == EOPNOTSUPP || err == ENODEV;
}

Result<std::vector<std::pair<std::string, std::string>>> TreeWatch::mark_filesystems(const std::string& path) {
    char real[PATH_MAX];
    if (!::realpath(path.c_str(), real)) return errno_code();
    const std::string base = real;
    struct Point {
        std::string path, rel, fstype;
    };
    std::vector<Point> points{{path, "", ""}};
    std::string root_mount;  // the mount point the root is under (longest prefix)
    // Filesystems mounted inside the tree need marks of their own.
    if (auto table = read_mount_table()) {
        std::string under = base == "/" ? "/" : base + "/";
        for (const Mount& m : *table) {
            if (!one_filesystem_ && m.mount_point.size() > under.size() &&
                m.mount_point.compare(0, under.size(), under) == 0)
                points.push_back({m.mount_point, m.mount_point.substr(under.size()), m.fstype});
            const std::string mp = m.mount_point == "/" ? "/" : m.mount_point + "/";
            if ((base + "/").compare(0, mp.size(), mp) == 0 && mp.size() > root_mount.size()) root_mount = m.mount_point;
        }
    }
    std::vector<std::pair<std::string, std::string>> refused;
    for (const Point& p : points) {
        std::uint64_t fsid = fsid_of_path(p.path);
        if (mount_dirs_.count(fsid) && !inode_fsids_.count(fsid)) continue;
        auto& dirs = mount_dirs_[fsid];
        // Any directory on the filesystem serves for open_by_handle_at; the
        // mount point outlives a root that may be deleted.
        if (p.rel.empty()) {
            if (!root_mount.empty()) dirs.push_back(root_mount);
            dirs.push_back(base);
        } else {
            dirs.push_back(p.path);
        }
        if (::fanotify_mark(group_.fd(), FAN_MARK_ADD | FAN_MARK_FILESYSTEM, fs_mask_, AT_FDCWD, p.path.c_str()) == 0)
            continue;
        if (!refused_filesystem_mark(errno) || one_filesystem_) {
            if (p.rel.empty()) return errno_code();
            continue;
        }
        // Kernel interfaces (/proc, /sys, ...) mounted inside a tree hold no
        // files anyone edits; walking them with a mark per directory would
        // cost more than it tells. Everything else gets one.
        if (!p.rel.empty() && is_pseudo_filesystem(p.fstype)) continue;
        inode_fsids_.insert(fsid);
        refused.emplace_back(p.path, p.rel);
    }
    return refused;
}

// Where there is no filesystem mark nothing is seen until a directory is
// marked: mark those parts right away (before "Watches established.", as
// inotifywait does); the walk from the root covers the rest in the background.
Status TreeWatch::mark_refused(int root, bool first) {
    const RootInfo& ri = roots_[static_cast<std::size_t>(root)];
    for (const auto& [point, rel] : ri.refused) {
        const std::string top = rel.empty() ? ri.key : mount_key(point, rel);
        if (top.empty() || !mark_dir(root, rel, rel.empty() && ri.follow)) {
            if (rel.empty()) return errno_code();
            // A filesystem without any fanotify mark (FUSE): someone else
            // (inotify) has to watch it, or its events would be lost unsaid.
            if (first) unmarked_.push_back({root, rel, errno_code(fsid_of_path(point) == 0 ? ENODEV : errno)});
            continue;
        }
        walk_marking(root, top, rel, false);
    }
    return {};
}

// The key of a mount point below a root, linked into the tree under its
// parent directory (which is on another filesystem, found by handle).
std::string TreeWatch::mount_key(const std::string& point, const std::string& rel) {
    UniqueFd fd(::open(point.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return {};
    UniqueFd parent(::openat(fd.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    auto h = handle_of_fd(fd.get());
    auto ph = parent ? handle_of_fd(parent.get()) : Result<FileHandle>(errno_code());
    if (!h || !ph) return {};
    std::string key = key_of(*h), pkey = key_of(*ph);
    auto slash = rel.rfind('/');
    tree_.add(key, pkey, slash == std::string::npos ? rel : rel.substr(slash + 1));
    // The parent is on a filesystem with a mark: resolve it now, so that the
    // walk from the root and events agree on where the mount point is.
    if (!tree_.contains(pkey)) resolve(pkey);
    return key;
}

std::string TreeWatch::root_path(int root, const std::string& rel) const {
    std::string p = roots_[static_cast<std::size_t>(root)].path;
    if (!rel.empty()) {
        if (p.empty() || p.back() != '/') p.push_back('/');
        p += rel;
    }
    return p;
}

bool TreeWatch::mark_dir(int root, const std::string& rel, bool follow) {
    unsigned flags = FAN_MARK_ADD | FAN_MARK_ONLYDIR | (follow ? 0u : FAN_MARK_DONT_FOLLOW);
    if (::fanotify_mark(group_.fd(), flags, inode_mask_, AT_FDCWD, root_path(root, rel).c_str()) == 0) return true;
    if (errno != ENAMETOOLONG) return false;
    // Deeper than PATH_MAX: by descriptor (not O_PATH: fanotify_mark refuses it).
    UniqueFd dir = open_below(roots_[static_cast<std::size_t>(root)].path, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    return dir && ::fanotify_mark(group_.fd(), flags, inode_mask_, dir.get(), nullptr) == 0;
}

// Marks every directory below `rel` (already marked itself). With `report`,
// what the walk finds is reported as created: it was made in a new directory
// before that directory's mark existed, and would otherwise be lost. Who made
// it is not known (not necessarily who made the directory): pid 0, printed ?.
void TreeWatch::walk_marking(int root, const std::string& key, const std::string& rel, bool report) {
    std::deque<Pending> todo{{key, root, rel}};
    const auto& excluded = roots_[static_cast<std::size_t>(root)].excluded;
    while (!todo.empty()) {
        Pending p = std::move(todo.front());
        todo.pop_front();
        UniqueFd dfd = open_below(roots_[static_cast<std::size_t>(root)].path, p.rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (!dfd) continue;
        scan_dir(dfd.get(), [&](std::string_view name, bool dir) {
            if (report) sink_.deliver(root, Kind::create, dir, p.rel, name, 0, 0);
            if (!dir) return;
            std::string rel_child = join(p.rel, name);
            auto h = subdir_handle(dfd.get(), std::string(name).c_str());
            if (!h) return;
            std::string child = key_of(*h);
            if (!report && !first_walk_done_ && excluded.count(rel_child)) {
                tree_.exclude(child, p.key, name);
                return;
            }
            tree_.add(child, p.key, name);
            if (mark_dir(root, rel_child)) todo.push_back({std::move(child), root, std::move(rel_child)});
        });
    }
}

void TreeWatch::ignore_dir(std::string_view key) {
    if (!ignore_marks_ || no_ignore_.count(std::string(key)) || !ignored_now_.insert(std::string(key)).second)
        return;
    auto fd = open_key(key, O_RDONLY | O_DIRECTORY);
    if (!fd) return;
    // RENAME stays out of the ignore mask: a move from this directory into a
    // tree must still be seen.
    std::uint64_t mask = (fs_mask_ & ~static_cast<std::uint64_t>(FAN_RENAME)) | FAN_ONDIR | FAN_EVENT_ON_CHILD;
    if (::fanotify_mark(group_.fd(), FAN_MARK_ADD | FAN_MARK_IGNORE_SURV | FAN_MARK_EVICTABLE, mask, fd->get(),
                        nullptr) < 0 &&
        errno == EINVAL)
        ignore_marks_ = false;  // before 6.0: filter in user space only
}

void TreeWatch::unignore_dir(int dirfd) {
    if (!ignore_marks_) return;
    std::uint64_t mask = (fs_mask_ & ~static_cast<std::uint64_t>(FAN_RENAME)) | FAN_ONDIR | FAN_EVENT_ON_CHILD;
    // ENOENT when it had none: nothing to do.
    ::fanotify_mark(group_.fd(), FAN_MARK_REMOVE | FAN_MARK_IGNORE_SURV, mask, dirfd, nullptr);
}

void TreeWatch::protect_parent_of(const std::string& file_path) {
    std::string dir = strip_slashes(file_path);
    auto slash = dir.rfind('/');
    dir = slash == std::string::npos ? "." : slash == 0 ? "/" : dir.substr(0, slash);
    UniqueFd parent(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!parent) return;
    if (auto h = handle_of_fd(parent.get())) no_ignore_.insert(key_of(*h));
}

}  // namespace fswait
