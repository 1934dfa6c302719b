#include "lib/dir_parents.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fswait {
namespace {

constexpr std::size_t kMaxCached = 4096;

// The name of the directory an O_PATH fd refers to, from its /proc link.
std::string entry_name(int fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    std::string buf(PATH_MAX, '\0');
    ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size());
    if (n <= 0) return {};
    buf.resize(static_cast<std::size_t>(n));
    // A real name may end in " (deleted)"; only strip it when the directory
    // really is gone.
    struct stat st;
    constexpr std::string_view kDeleted = " (deleted)";
    if (::fstat(fd, &st) == 0 && st.st_nlink == 0 && buf.ends_with(kDeleted))
        buf.resize(buf.size() - kDeleted.size());
    auto slash = buf.rfind('/');
    return slash == std::string::npos ? buf : buf.substr(slash + 1);
}

}  // namespace

const DirParents::Parents& DirParents::lookup(const HandleView& dir) {
    FileHandle key = FileHandle::from(dir);
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    if (cache_.size() >= kMaxCached) cache_.clear();
    return cache_.emplace(std::move(key), resolve(dir)).first->second;
}

DirParents::Parents DirParents::resolve(const HandleView& dir) const {
    Parents out;
    if (!roots_.has_live_dir_on(dir.fsid)) return out;
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
        if (!parent) return out;
        std::string name = entry_name(xfd->get());
        if (name.empty()) return out;
        for (int j = 0; j < roots_.size(); ++j) {
            const Root& p = roots_[j];
            if (p.alive && p.info.is_dir && p.info.handle == *parent) out.emplace_back(j, name);
        }
        return out;
    }
    return out;
}

}  // namespace fswait
