#include "lib/inotify_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <cerrno>
#include <functional>
#include <memory>

#include "lib/watcher.hpp"

namespace fswait {
namespace {

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

// Each entry of one directory (but "." and ".."), read the way inotifywait
// reads it: opendir, readdir to the end, closedir, with the recursion into
// a subdirectory done while the directory is open. The kernel reports these
// to the watches on the directory and on its parent (OPEN, ACCESS,
// CLOSE_NOWRITE), and inotifywait prints them: so must we, byte for byte,
// and in the same order. (glibc's opendir uses O_CLOEXEC.) `fn` returns
// false to stop early.
using EntryFn = std::function<bool(const std::string& name, bool is_dir)>;

Status read_dir(const std::string& path, const EntryFn& fn) {
    std::unique_ptr<DIR, DirCloser> dir(::opendir(path.c_str()));
    if (!dir) return errno_code();
    while (const dirent* e = ::readdir(dir.get())) {
        const std::string_view name(e->d_name);
        if (name == "." || name == "..") continue;
        bool is_dir = e->d_type == DT_DIR;
        if (e->d_type == DT_UNKNOWN) {
            // A symlink is never a directory here: recursion does not follow them.
            struct stat st;
            if (::fstatat(::dirfd(dir.get()), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            is_dir = S_ISDIR(st.st_mode);
        }
        if (!fn(std::string(name), is_dir)) break;
    }
    return {};
}

// Errors below the top that inotifywait steps over: the directory was not
// readable, or went away, while the tree was walked.
bool tolerable(std::error_code ec) {
    return ec.value() == EACCES || ec.value() == ENOENT || ec.value() == ELOOP;
}

}  // namespace

bool walk_excludes(const std::string& candidate, const std::vector<std::string>& excluded) {
    for (const std::string& x : excluded) {
        std::string_view e = x;
        if (e.ends_with('/')) e.remove_suffix(1);
        if (candidate.size() == e.size() + 1 && candidate.starts_with(e)) return true;
    }
    return false;
}

InotifyTree::InotifyTree(int fd, std::uint32_t mask) : fd_(fd), mask_(mask) {
    // A new directory is watched before it is read (so that nothing made in
    // it meanwhile is missed) but without the kinds our own reading causes:
    // inotifywait, which reads first, never reports them on the directory
    // itself. The full mask follows once the reading is over.
    quiet_mask_ = mask_ & ~(IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE | IN_ONESHOT);
    if (!(quiet_mask_ & (IN_ALL_EVENTS | IN_UNMOUNT))) quiet_mask_ |= IN_ISDIR;  // a valid mask that asks for nothing
}

void InotifyTree::set_root(int root, const std::string& typed, dev_t dev, ino_t ino) {
    if (root >= static_cast<int>(roots_.size())) roots_.resize(static_cast<std::size_t>(root) + 1);
    RootPath& r = roots_[static_cast<std::size_t>(root)];
    r.spelled = typed.ends_with('/') ? typed : typed + '/';
    r.dev = dev;
    r.ino = ino;
}

std::string InotifyTree::path_of(int root, const std::string& rel) const {
    std::string p = roots_[static_cast<std::size_t>(root)].spelled;
    if (!rel.empty()) p.append(rel).push_back('/');
    return p;
}

Result<std::vector<InotifyTree::Walked>> InotifyTree::walk(const std::string& path,
                                                            const std::vector<std::string>& excluded) {
    std::vector<Walked> out;
    walk_excluded_.clear();
    // The top is opened as typed (a symlink to a directory is followed);
    // below it, paths are spelled from it with a '/' after each directory.
    const std::string spelled = path.ends_with('/') ? path : path + '/';
    if (auto s = walk_dir(path, spelled, {}, excluded, out); !s) return s.error();
    return out;
}

Status InotifyTree::walk_dir(const std::string& open_path, const std::string& spelled, const std::string& rel,
                             const std::vector<std::string>& excluded, std::vector<Walked>& out) {
    Status failed;
    auto listed = read_dir(open_path, [&](const std::string& name, bool is_dir) {
        if (!is_dir) return true;
        const std::string next = spelled + name + '/';
        const std::string sub = join_rel(rel, name);
        if (walk_excludes(next, excluded)) {
            walk_excluded_.push_back(sub);
            return true;
        }
        auto s = walk_dir(next, next, sub, excluded, out);
        if (!s && !tolerable(s.error())) failed = s;
        return failed.ok();
    });
    if (!listed) return listed;
    if (!failed) return failed;
    const int wd = ::inotify_add_watch(fd_, spelled.c_str(), mask_);
    if (wd < 0) return inotify_error(errno);
    out.push_back({wd, rel});
    return {};
}

int InotifyTree::adopt(int root, const std::vector<Walked>& walked) {
    // The top is last: if it is watched already, the whole walk belongs there.
    const WatchPlace* top = table_.find(walked.back().wd);
    const int owner = top ? top->root : root;
    const std::string base = top ? top->rel : std::string();
    for (const Walked& w : walked) table_.add(w.wd, owner, join_rel(base, w.rel));
    for (const std::string& rel : walk_excluded_) excluded_.insert({owner, join_rel(base, rel)});
    return owner;
}

Status InotifyTree::watch_new(int root, const std::string& rel, std::vector<Found>* found) {
    return scan_new(root, rel, path_of(root, rel), found, true);
}

Status InotifyTree::scan_new(int root, const std::string& rel, const std::string& path, std::vector<Found>* found,
                             bool relocate) {
    // IN_MASK_ADD: a directory watched already (moved in) keeps its mask.
    const int wd = ::inotify_add_watch(fd_, path.c_str(), quiet_mask_ | IN_MASK_ADD);
    if (wd < 0) {
        const int err = errno;
        // inotifywait reads the directory before it fails to watch it: the
        // same events for its parent's watch.
        (void)read_dir(path, [](const std::string&, bool) { return true; });
        return inotify_error(err);
    }
    const WatchPlace* known = table_.find(wd);
    // Another root moved in: it and its tree keep the names they were
    // first given, as in inotifywait.
    const bool other_root = known && known->rel.empty();
    if (!known) {
        table_.add(wd, root, rel);
    } else if (relocate && !other_root && (known->root != root || known->rel != rel)) {
        // Watched elsewhere in the trees: it moved here before its rename
        // was read (or without a rename we could pair).
        const WatchPlace from = *known;
        table_.move_subtree(from.root, from.rel, root, rel);
    }
    Status failed;
    Status listed = read_dir(path, [&](const std::string& name, bool is_dir) {
        if (found) found->push_back({wd, root, rel, name, is_dir});
        if (!is_dir) return true;
        auto s = scan_new(root, join_rel(rel, name), path + name + '/', found, relocate && !other_root);
        if (!s && !tolerable(s.error())) failed = s;
        return failed.ok();
    });
    (void)::inotify_add_watch(fd_, path.c_str(), mask_);
    return listed ? failed : listed;
}

void InotifyTree::rewalk(int root, std::set<std::pair<int, std::string>>& self) {
    const RootPath& r = roots_[static_cast<std::size_t>(root)];
    // By path, so only while the path still names the root (it may have
    // been renamed, and something else made under its old name).
    struct stat st;
    if (::stat(r.spelled.c_str(), &st) != 0 || st.st_dev != r.dev || st.st_ino != r.ino) return;
    std::set<int> seen;
    rewalk_dir(root, {}, r.spelled, -1, {}, seen, self);
    for (int wd : table_.wds_of(root))
        if (!seen.count(wd)) {
            (void)::inotify_rm_watch(fd_, wd);
            table_.erase(wd);
        }
}

void InotifyTree::rewalk_dir(int root, const std::string& rel, const std::string& path, int parent_wd,
                             const std::string& name, std::set<int>& seen,
                             std::set<std::pair<int, std::string>>& self) {
    const int wd = ::inotify_add_watch(fd_, path.c_str(), mask_);
    if (wd < 0) return;
    if (const WatchPlace* p = table_.find(wd)) {
        // The top of another root's tree stays there, with what is below it.
        if (p->rel.empty() && p->root != root) return;
        if (p->root != root || p->rel != rel) table_.relocate(wd, root, rel);
    } else {
        table_.add(wd, root, rel);
    }
    seen.insert(wd);
    self.insert({wd, {}});
    if (parent_wd >= 0) self.insert({parent_wd, name});
    (void)read_dir(path, [&](const std::string& entry, bool is_dir) {
        const std::string sub = join_rel(rel, entry);
        if (is_dir && !(excluded_.count({root, sub}) && table_.wd_at(root, sub) < 0))
            rewalk_dir(root, sub, path + entry + '/', wd, entry, seen, self);
        return true;
    });
}

std::vector<int> InotifyTree::drop_subtree(int root, const std::string& rel) {
    std::vector<int> wds = table_.take_subtree(root, rel);
    for (int wd : wds) (void)::inotify_rm_watch(fd_, wd);
    return wds;
}

}  // namespace fswait
