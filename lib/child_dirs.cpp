#include "lib/child_dirs.hpp"

#include "lib/dir_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace fswait {
namespace {


}  // namespace

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
    auto parents = resolve(dir);
    // Remember misses too: a directory outside every watch stays outside.
    return table_.emplace(std::move(key), std::move(parents)).first->second;
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

ChildDirs::Parents ChildDirs::resolve(const HandleView& dir) const {
    Parents out;
    for (int i = 0; i < roots_.size(); ++i) {
        const Root& r = roots_[i];
        if (!r.alive || !r.info.is_dir || r.info.handle.fsid != dir.fsid) continue;
        // Any fd on the filesystem serves as mount fd; it must not be O_PATH.
        UniqueFd mfd(::open(r.mount_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!mfd) continue;
        auto xfd = open_handle(mfd.get(), FileHandle::from(dir), O_PATH);
        if (!xfd) return out;
        UniqueFd pfd(::openat(xfd->get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!pfd) return out;
        auto parent = handle_of_fd(pfd.get());
        std::string name = fd_entry_name(xfd->get());
        if (!parent || name.empty()) return out;
        for (int j = 0; j < roots_.size(); ++j) {
            const Root& p = roots_[j];
            if (p.alive && p.info.is_dir && p.info.handle == *parent) out.emplace_back(j, name);
        }
        return out;
    }
    return out;
}

}  // namespace fswait
