#include "lib/child_dirs.hpp"

#include "lib/dir_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace fswait {

std::string child_dir_name(int parent_fd, int child_fd) {
    struct stat want;
    if (::fstat(child_fd, &want) < 0) return {};
    // An O_PATH descriptor cannot be listed.
    UniqueFd dir(::openat(parent_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return {};
    std::string found;
    scan_dir(dir.get(), [&](std::string_view name, bool is_dir) {
        struct stat st;
        if (found.empty() && is_dir && ::fstatat(dir.get(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            st.st_ino == want.st_ino && st.st_dev == want.st_dev)
            found = name;
    });
    return found;
}

UniqueFd open_below(const std::string& top, const std::string& rel, int flags) {
    std::string path = top;
    if (!rel.empty() && (path.empty() || path.back() != '/')) path += '/';
    UniqueFd fd(::open((path + rel).c_str(), flags | O_CLOEXEC));
    if (fd || errno != ENAMETOOLONG) return fd;
    fd.reset(::open(top.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    for (std::size_t at = 0, end; fd && at < rel.size(); at = end + 1) {
        end = std::min(rel.find('/', at), rel.size());
        const int f = end == rel.size() ? flags : O_PATH | O_DIRECTORY | O_NOFOLLOW;
        fd.reset(::openat(fd.get(), rel.substr(at, end - at).c_str(), f | O_CLOEXEC));
    }
    return fd;
}

void ChildDirs::insert(FileHandle h, int root, const std::string& name) {
    auto& parents = table_[std::move(h)];
    auto entry = std::make_pair(root, name);
    if (std::find(parents.begin(), parents.end(), entry) == parents.end()) parents.push_back(entry);
}

void ChildDirs::seed(int root, int dirfd) {
    scan_dir(dirfd, [&](std::string_view name, bool is_dir) {
        if (!is_dir) return;
        std::string n(name);
        if (auto h = subdir_handle(dirfd, n.c_str())) insert(std::move(*h), root, n);
    });
}

const ChildDirs::Parents& ChildDirs::lookup(const HandleView& dir) {
    FileHandle key = FileHandle::from(dir);
    auto it = table_.find(key);
    if (it != table_.end()) return it->second;
    auto parents = resolve_or_lend(dir);
    // Remember misses too (a directory outside every watch stays outside, a
    // gone one stays gone), but not a lack of descriptors: that may pass.
    if (!parents && out_of_fds(parents.error())) return none_;
    return table_.emplace(std::move(key), parents ? std::move(*parents) : Parents()).first->second;
}

// Out of descriptors, the directory may well exist: its event is not lost
// for that while the reserve can lend some.
Result<ChildDirs::Parents> ChildDirs::resolve_or_lend(const HandleView& dir) {
    // Taken at the first miss, after the set-up, so that it never makes the
    // set-up itself run out of descriptors.
    spare_fds_.fill();
    auto parents = resolve(dir);
    if (parents || !out_of_fds(parents.error())) return parents;
    ++no_fds_;
    spare_fds_.lend([&] {
        parents = resolve(dir);
        return parents.error();
    });
    if (!parents && out_of_fds(parents.error())) ++no_fds_lost_;
    return parents;
}

void ChildDirs::created(int root, const std::string& name, const HandleView* handle) {
    if (handle) return insert(FileHandle::from(*handle), root, name);
    // Before 5.17 the kernel does not say which directory was created.
    std::string path = roots_[root].path + "/" + name;
    UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return;
    if (auto h = handle_of_fd(fd.get())) insert(std::move(*h), root, name);
}

void ChildDirs::moved(int from_root, const std::string& old_name, int to_root, const std::string& new_name,
                      const HandleView* handle) {
    if (from_root >= 0) {
        for (auto& [h, parents] : table_) {
            auto it = std::find(parents.begin(), parents.end(), std::make_pair(from_root, old_name));
            if (it == parents.end()) continue;
            if (to_root >= 0) *it = {to_root, new_name};
            else parents.erase(it);
            return;
        }
    }
    if (to_root >= 0) created(to_root, new_name, handle);
}

void ChildDirs::deleted(int root, const std::string& name) {
    for (auto it = table_.begin(); it != table_.end(); ++it) {
        auto& parents = it->second;
        auto p = std::find(parents.begin(), parents.end(), std::make_pair(root, name));
        if (p == parents.end()) continue;
        parents.erase(p);
        if (parents.empty()) table_.erase(it);
        return;
    }
}

Result<ChildDirs::Parents> ChildDirs::resolve(const HandleView& dir) const {
    Parents out;
    for (int i = 0; i < roots_.size(); ++i) {
        const Root& r = roots_[i];
        if (!r.alive || !r.info.is_dir || r.info.handle.fsid != dir.fsid) continue;
        // Any fd on the filesystem serves as mount fd; it must not be O_PATH.
        UniqueFd mfd(::open(r.mount_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!mfd && out_of_fds(errno_code())) return errno_code();
        if (!mfd) continue;
        auto xfd = open_handle(mfd.get(), FileHandle::from(dir), O_PATH, sys_);
        if (!xfd) return xfd.error();
        UniqueFd pfd(::openat(xfd->get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!pfd) return errno_code();
        auto parent = handle_of_fd(pfd.get());
        if (!parent) return parent.error();
        std::string name = fd_entry_name(xfd->get());
        if (name.empty()) name = child_dir_name(pfd.get(), xfd->get());
        if (name.empty()) return errno_code(ENOENT);
        for (int j = 0; j < roots_.size(); ++j) {
            const Root& p = roots_[j];
            if (p.alive && p.info.is_dir && p.info.handle == *parent) out.emplace_back(j, name);
        }
        return out;
    }
    return out;
}

}  // namespace fswait
