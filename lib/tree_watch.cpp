#include "lib/tree_watch.hpp"

#include <dirent.h>
#include <malloc.h>
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "lib/child_dirs.hpp"
#include "lib/dir_scan.hpp"
#include "lib/fanotify_mask.hpp"
#include "lib/tree_marks.hpp"

namespace fswait {

using tree_detail::join;
using tree_detail::key_of;
using tree_detail::strip_slashes;

namespace {

constexpr int kSeedBudget = 64;      // directories scanned per step
constexpr int kMaxResolveDepth = 4096;

FileHandle handle_from_key(std::string_view key) {
    FileHandle h;
    if (key.size() < 12) return h;
    std::memcpy(&h.fsid, key.data(), 8);
    std::memcpy(&h.type, key.data() + 8, 4);
    h.bytes = std::string(key.substr(12));
    return h;
}

}  // namespace

TreeWatch::TreeWatch(FanotifyGroup& group, EventSink& sink, KindSet report, Sys& sys)
    : group_(group), sink_(sink), sys_(sys), tree_(!group.features().target_fid) {
    // Entry events are always needed to keep the tree right. DELETE_SELF and
    // MOVE_SELF are not asked for on the whole filesystem: for files they
    // come without a name (useless, and one per unlink system-wide); for
    // subdirectories they are derived from their parent's DELETE and RENAME.
    KindSet kinds = report | Kind::create | Kind::delete_ | Kind::moved_from | Kind::moved_to;
    kinds = KindSet::from_bits(kinds.bits() & ~kSelfKinds.bits());
    fs_mask_ = fan_mask_for(kinds, true, group.features().rename) & ~static_cast<std::uint64_t>(FAN_EVENT_ON_CHILD);
    inode_mask_ = fs_mask_ | FAN_EVENT_ON_CHILD;
}

Status TreeWatch::add_root(int root, const std::string& path, const FileHandle& handle, bool follow,
                           const std::vector<std::string>& excluded) {
    auto refused = mark_filesystems(path);
    if (!refused) return refused.error();
    // The root's own end and moves come from an inode mark, as inotify's.
    unsigned flags = FAN_MARK_ADD | (follow ? 0u : FAN_MARK_DONT_FOLLOW);
    if (::fanotify_mark(group_.fd(), flags, FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR, AT_FDCWD, path.c_str()) < 0)
        return errno_code();
    if (static_cast<std::size_t>(root) >= roots_.size()) roots_.resize(static_cast<std::size_t>(root) + 1);
    RootInfo& ri = roots_[static_cast<std::size_t>(root)];
    ri.key = key_of(handle);
    ri.path = path;
    // inotifywait compares @paths with the spelling "root/sub/dir" during its
    // first walk only; a different spelling of the root never matches.
    std::string prefix = strip_slashes(path) + "/";
    for (const std::string& e : excluded) {
        std::string ex = strip_slashes(e);
        if (ex.size() > prefix.size() && ex.compare(0, prefix.size(), prefix) == 0)
            ri.excluded.insert(ex.substr(prefix.size()));
    }
    ri.follow = follow;
    ri.refused = std::move(*refused);
    tree_.set_root(ri.key, root);
    note_ancestors(path);
    queue_.push_back({ri.key, root, ""});
    return mark_refused(root, true);
}

void TreeWatch::note_ancestors(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC | O_DIRECTORY));
    if (!fd) return;
    auto h = handle_of_fd(fd.get());
    if (!h) return;
    std::string key = key_of(*h);
    for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
        UniqueFd parent(::openat(fd.get(), "..", O_PATH | O_CLOEXEC | O_DIRECTORY));
        if (!parent) return;
        auto ph = handle_of_fd(parent.get());
        if (!ph) return;
        std::string pkey = key_of(*ph);
        if (pkey == key) return;
        ancestors_.insert(pkey);
        no_ignore_.insert(pkey);
        tree_.set_outside(pkey);
        fd = std::move(parent);
        key = std::move(pkey);
    }
}

std::uint64_t TreeWatch::fsid_of(std::string_view key) {
    std::uint64_t fsid = 0;
    if (key.size() >= 8) std::memcpy(&fsid, key.data(), 8);
    return fsid;
}

Result<UniqueFd> TreeWatch::open_key(std::string_view key, int flags) {
    int mfd = mount_fd_for(fsid_of(key));
    if (mfd < 0) return out_of_fds(errno_code()) ? errno_code() : errno_code(ENODEV);
    return open_handle(mfd, handle_from_key(key), flags, sys_);
}

int TreeWatch::mount_fd_for(std::uint64_t fsid) {
    errno = ENODEV;  // unless an open below says why
    auto it = step_mount_fds_.find(fsid);
    if (it != step_mount_fds_.end()) return it->second;
    int fd = -1;
    if (auto dirs = mount_dirs_.find(fsid); dirs != mount_dirs_.end())
        for (const std::string& d : dirs->second)
            if ((fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) break;
    // A lack of descriptors may pass within the batch (the reserve is lent).
    if (fd >= 0 || !out_of_fds(errno_code())) step_mount_fds_.emplace(fsid, fd);
    return fd;
}

void TreeWatch::end_batch() {
    // Mount fds are held only briefly: an fd on a filesystem keeps it busy
    // and inotify never prevents an unmount.
    for (auto& [fsid, fd] : step_mount_fds_)
        if (fd >= 0) ::close(fd);
    step_mount_fds_.clear();
    ignored_now_.clear();
    // Taken after the set-up (the first walk step ends a batch), so that it
    // never makes the set-up itself run out of descriptors.
    spare_fds_.fill();
}

// Out of descriptors, the directory may well exist: its event is not dropped
// for that; a second attempt, with the reserve lent, goes on from there.
bool TreeWatch::resolve(const std::string& key) {
    auto attempt = [&]() -> std::error_code {
        std::string rel;
        auto loc = tree_.locate(key, rel);
        return loc.state == DirTree::State::unknown ? resolve_once(std::string(loc.missing)) : std::error_code();
    };
    std::error_code ec = attempt();
    if (!out_of_fds(ec)) return !ec;
    ++stats_.no_fds;
    ec = spare_fds_.lend(attempt);
    if (out_of_fds(ec)) ++stats_.no_fds_lost;
    return !ec;
}

std::error_code TreeWatch::resolve_once(std::string key) {
    auto fd = open_key(key, O_PATH);
    if (!fd) return fd.error();
    UniqueFd cur = std::move(*fd);
    for (int depth = 0; depth < kMaxResolveDepth && !tree_.contains(key); ++depth) {
        UniqueFd parent(::openat(cur.get(), "..", O_PATH | O_CLOEXEC | O_DIRECTORY));
        if (!parent) return errno_code();
        auto ph = handle_of_fd(parent.get());
        if (!ph) return ph.error();
        std::string pkey = key_of(*ph);
        if (pkey == key) {  // the top of the mount
            tree_.set_outside(key);
            break;
        }
        std::string name = fd_entry_name(cur.get());
        if (name.empty()) name = child_dir_name(parent.get(), cur.get());
        if (name.empty()) return errno_code(ENOENT);
        tree_.add(key, pkey, name);
        cur = std::move(parent);
        key = std::move(pkey);
    }
    return {};
}

DirTree::Located TreeWatch::where(std::string_view key, std::string& rel) {
    auto loc = tree_.locate(key, rel);
    if (loc.state != DirTree::State::unknown) return loc;
    if (!resolve(std::string(loc.missing))) return loc;
    loc = tree_.locate(key, rel);
    if (loc.state != DirTree::State::inside || roots_[static_cast<std::size_t>(loc.root)].excluded.empty() ||
        first_walk_done_)
        return loc;
    // Found before the first walk reached it: apply the @path exclusions
    // the walk would have applied.
    std::string k(key), r = rel;
    while (!r.empty()) {
        auto [parent, name] = tree_.parent_of(k);
        if (roots_[static_cast<std::size_t>(loc.root)].excluded.count(r)) {
            tree_.exclude(k, std::string(parent), std::string(name));
            no_ignore_.insert(k);
            return tree_.locate(key, rel);
        }
        auto slash = r.rfind('/');
        r.resize(slash == std::string::npos ? 0 : slash);
        k = std::string(parent);
    }
    return loc;
}

bool TreeWatch::excluded_dir(const std::string& key) const {
    std::string rel;
    return !key.empty() && tree_.contains(key) && tree_.locate(key, rel).state == DirTree::State::outside;
}

void TreeWatch::translate(const FanRecord& r) {
    ++stats_.records;
    if (r.mask & FAN_RENAME) translate_rename(r);
    KindSet kinds = kinds_from_fan_mask(r.mask);
    if (kinds.empty()) return;
    if (!r.dir) {
        ++stats_.fid_only;
        return;
    }
    if (r.name == ".") translate_dir_event(r, kinds);
    else translate_entry_event(r, kinds);
}

void TreeWatch::translate_dir_event(const FanRecord& r, KindSet kinds) {
    const std::string key = key_of(*r.dir);
    auto self = where(key, rel_);
    const std::string self_rel = rel_;
    // inotifywait -r watches every directory: an event on one is reported
    // to its parent's watch (with its name) and to its own.
    auto [pk, pname] = tree_.parent_of(key);
    const std::string parent_key(pk), name(pname);
    DirTree::Located parent;
    if (!parent_key.empty()) parent = where(parent_key, rel2_);
    const std::string parent_rel = rel2_;
    const bool self_in = self.state == DirTree::State::inside;
    const bool parent_in = parent.state == DirTree::State::inside;
    if (!self_in && !parent_in) {
        if (self.state == DirTree::State::unknown) ++stats_.unresolved;
        else {
            ++stats_.foreign;
            ignore_dir(key);
        }
        return;
    }
    for (Kind k : lifecycle_order(kinds)) {
        if (kSelfKinds.has(k)) {
            // Only roots carry a mark that asks for these.
            if (self_in && self_rel.empty()) sink_.deliver(self.root, k, true, "", "", 0, r.pid);
            continue;
        }
        if (parent_in) sink_.deliver(parent.root, k, true, parent_rel, name, 0, r.pid);
        if (self_in) sink_.deliver(self.root, k, true, self_rel, "", 0, r.pid);
    }
}

void TreeWatch::translate_entry_event(const FanRecord& r, KindSet kinds) {
    const std::string dir_key = key_of(*r.dir);
    auto loc = where(dir_key, rel_);
    if (loc.state == DirTree::State::unknown) {
        ++stats_.unresolved;
        return;
    }
    if (loc.state == DirTree::State::outside) {
        ++stats_.foreign;
        ignore_dir(dir_key);
        return;
    }
    const std::string rel = rel_;
    const bool is_dir = r.mask & FAN_ONDIR;
    const std::string name(r.name);
    std::string child = is_dir && r.fid ? key_of(*r.fid) : std::string(tree_.child(dir_key, name));
    std::uint32_t cookie = 0;
    if (kinds.has(Kind::moved_from)) {
        // Before FAN_RENAME (5.17) the halves of a rename come separately,
        // back to back from one process: pair them by pid.
        cookie = pending_moves_[r.pid] = sink_.next_cookie();
    } else if (kinds.has(Kind::moved_to)) {
        auto it = pending_moves_.find(r.pid);
        cookie = it != pending_moves_.end() ? it->second : sink_.next_cookie();
        if (it != pending_moves_.end()) pending_moves_.erase(it);
    }
    for (Kind k : lifecycle_order(kinds)) {
        if (kSelfKinds.has(k)) continue;
        if (k == Kind::delete_ && is_dir && !excluded_dir(child)) {
            // The subdirectory's own watch would have said DELETE_SELF first.
            std::string sub = join(rel, name);
            sink_.deliver(loc.root, Kind::delete_self, false, sub, "", 0, r.pid);
            sink_.ignored(loc.root, sub);
        }
        const bool move = k == Kind::moved_from || k == Kind::moved_to;
        sink_.deliver(loc.root, k, is_dir, rel, name, move ? cookie : 0, r.pid);
    }
    if (!is_dir) return;
    if (kinds.has(Kind::delete_)) {
        if (!child.empty()) tree_.remove(child);
    } else if (kinds.intersects(Kind::create | Kind::moved_to)) {
        if (child.empty()) child = lookup_child(dir_key, name);
        if (!child.empty()) tree_.add(child, dir_key, name);
        if (!child.empty() && inode_marked(child)) {
            std::string sub = join(rel, name);
            if (mark_dir(loc.root, sub)) walk_marking(loc.root, child, sub, kinds.has(Kind::create));
        }
    } else if (kinds.has(Kind::moved_from) && !child.empty()) {
        tree_.set_outside(child);
    }
}

std::string TreeWatch::lookup_child(const std::string& dir_key, const std::string& name) {
    // Before FAN_REPORT_TARGET_FID (5.17) the kernel does not say which
    // directory an entry event is about.
    auto dfd = open_key(dir_key, O_PATH);
    if (!dfd) return {};
    UniqueFd sub(::openat(dfd->get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) return {};
    auto h = handle_of_fd(sub.get());
    return h ? key_of(*h) : std::string();
}

void TreeWatch::translate_rename(const FanRecord& r) {
    if (!r.old_dir || !r.new_dir) return;
    const std::string from_key = key_of(*r.old_dir), to_key = key_of(*r.new_dir);
    auto from = where(from_key, rel_);
    const std::string from_rel = rel_;
    auto to = where(to_key, rel2_);
    const std::string to_rel = rel2_;
    const bool in1 = from.state == DirTree::State::inside, in2 = to.state == DirTree::State::inside;
    if (!in1 && !in2) {
        ++stats_.foreign;
        return;
    }
    const bool is_dir = r.mask & FAN_ONDIR;
    const std::string old_name(r.old_name), new_name(r.new_name);
    std::uint32_t cookie = sink_.next_cookie();
    if (in1) sink_.deliver(from.root, Kind::moved_from, is_dir, from_rel, old_name, cookie, r.pid);
    if (in2) sink_.deliver(to.root, Kind::moved_to, is_dir, to_rel, new_name, cookie, r.pid);
    if (!is_dir) return;
    std::string moved = r.fid ? key_of(*r.fid) : std::string(tree_.child(from_key, old_name));
    if (moved.empty() && in2) moved = lookup_child(to_key, new_name);
    if (moved.empty()) return;
    // An @excluded directory has no watch of its own in inotifywait: no
    // MOVE_SELF, and it stays excluded under its new name.
    std::string ignored_rel;
    if (tree_.contains(moved) && tree_.locate(moved, ignored_rel).state == DirTree::State::outside) {
        if (in2) tree_.exclude(moved, to_key, new_name);
        return;
    }
    if (in2) {
        tree_.add(moved, to_key, new_name);
        // inotifywait renames the moved directory's watch first, so its
        // MOVE_SELF shows the new path.
        if (in1) sink_.deliver(to.root, Kind::move_self, false, join(to_rel, new_name), "", 0, r.pid);
        else if (inode_marked(moved)) {
            std::string sub = join(to_rel, new_name);
            if (mark_dir(to.root, sub)) walk_marking(to.root, moved, sub, false);
        } else {
            // Moved in from outside: it and its subdirectories may carry
            // ignore marks, and the tree does not know what is below it.
            // (FAN_MARK_FLUSH would also drop the marks roots depend on.)
            if (auto fd = open_key(moved, O_RDONLY | O_DIRECTORY)) unignore_dir(fd->get());
            queue_.push_back({moved, to.root, join(to_rel, new_name), true});
        }
    } else {
        sink_.deliver(from.root, Kind::move_self, false, join(from_rel, old_name), "", 0, r.pid);
        tree_.set_outside(moved);  // moved out: it stops reporting at once
    }
}

void TreeWatch::seed_step() {
    for (int budget = kSeedBudget; budget > 0 && !queue_.empty(); --budget) {
        Pending p = std::move(queue_.back());
        queue_.pop_back();
        auto fd = open_key(p.key, O_RDONLY | O_DIRECTORY);
        if (!fd) continue;  // gone meanwhile
        if (p.unignore) unignore_dir(fd->get());
        scan(p, fd->get());
    }
    if (queue_.empty()) {
        first_walk_done_ = true;
        // The walk's scratch memory is freed; give it back to the system.
        queue_.shrink_to_fit();
        ::malloc_trim(0);
    }
    end_batch();
}

void TreeWatch::scan(const Pending& p, int dirfd) {
    const auto& excluded = roots_[static_cast<std::size_t>(p.root)].excluded;
    scan_dir(dirfd, [&](std::string_view name, bool is_dir) {
        if (!is_dir) return;
        auto h = subdir_handle(dirfd, std::string(name).c_str());
        if (!h) return;
        std::string key = key_of(*h);
        std::string rel = join(p.rel, name);
        if (!first_walk_done_ && excluded.count(rel)) {
            tree_.exclude(key, p.key, name);
            no_ignore_.insert(key);  // its own events still count: never ignore-marked
            return;
        }
        tree_.add(key, p.key, name);
        queue_.push_back({std::move(key), p.root, std::move(rel), p.unignore});
    });
}

void TreeWatch::reseed() {
    tree_.clear();
    queue_.clear();
    // Walked as at the start: @path exclusions apply again (what was created
    // since cannot be told apart after events were lost).
    first_walk_done_ = false;
    for (const std::string& a : ancestors_) tree_.set_outside(a);
    for (std::size_t i = 0; i < roots_.size(); ++i) {
        if (roots_[i].key.empty()) continue;
        tree_.set_root(roots_[i].key, static_cast<int>(i));
        queue_.push_back({roots_[i].key, static_cast<int>(i), ""});
    }
    for (std::size_t i = 0; i < roots_.size(); ++i)
        if (!roots_[i].key.empty()) (void)mark_refused(static_cast<int>(i), false);
}

}  // namespace fswait
