#include "lib/file_handle.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include <cstring>
#include <vector>

namespace fswait {
namespace {

#ifdef AT_HANDLE_FID
constexpr int kHandleFid = AT_HANDLE_FID;
#else
constexpr int kHandleFid = 0x200;  // linux/fcntl.h, 6.5
#endif

std::uint64_t fsid_of(const struct statfs& st) {
    std::uint64_t v = 0;
    static_assert(sizeof v == sizeof st.f_fsid);
    std::memcpy(&v, &st.f_fsid, sizeof v);
    return v;
}

}  // namespace

std::uint64_t fsid_of_fd(int fd) {
    struct statfs st;
    return ::fstatfs(fd, &st) == 0 ? fsid_of(st) : 0;
}

namespace {

// name_to_handle_at with a buffer that grows on EOVERFLOW.
Result<FileHandle> encode(int dirfd, const char* path, int flags, int* mount_id_out) {
    std::vector<char> buf(sizeof(file_handle) + MAX_HANDLE_SZ);
    auto* fh = reinterpret_cast<file_handle*>(buf.data());
    fh->handle_bytes = MAX_HANDLE_SZ;
    int mount_id = 0;
    if (::name_to_handle_at(dirfd, path, fh, &mount_id, flags) < 0) return errno_code();
    if (mount_id_out) *mount_id_out = mount_id;
    FileHandle h;
    h.type = fh->handle_type;
    h.bytes.assign(reinterpret_cast<const char*>(fh->f_handle), fh->handle_bytes);
    return h;
}

}  // namespace

Result<FileHandle> handle_of_fd(int fd, int* mount_id) {
    auto h = encode(fd, "", AT_EMPTY_PATH, mount_id);
    // Filesystems that cannot decode handles (overlayfs, /proc) still give
    // the non-decodable kind fanotify reports (Linux 6.5+).
    if (!h && h.error().value() == EOPNOTSUPP) h = encode(fd, "", AT_EMPTY_PATH | kHandleFid, mount_id);
    if (!h) return h.error();
    struct statfs sfs;
    if (::fstatfs(fd, &sfs) < 0) return errno_code();
    h->fsid = fsid_of(sfs);
    return h;
}

Result<ObjectInfo> identify(const std::string& path, bool follow) {
    // One O_PATH fd pins the object, so the handle, the fsid and the type all
    // describe the same inode even if the path is renamed meanwhile.
    int oflags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
    UniqueFd fd(::open(path.c_str(), oflags));
    if (!fd) return errno_code();
    struct stat st, lst;
    if (::fstat(fd.get(), &st) < 0) return errno_code();
    if (::lstat(path.c_str(), &lst) < 0) return errno_code();
    ObjectInfo info;
    auto h = handle_of_fd(fd.get(), &info.mount_id);
    if (!h) return h.error();
    info.handle = std::move(*h);
    info.is_dir = S_ISDIR(st.st_mode);
    info.lstat_dir = S_ISDIR(lst.st_mode);
    return info;
}

std::string fd_entry_name(int fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd);
    std::string buf(PATH_MAX, '\0');
    ssize_t n = ::readlink(link.c_str(), buf.data(), buf.size());
    if (n <= 0) return {};
    buf.resize(static_cast<std::size_t>(n));
    struct stat st;
    constexpr std::string_view kDeleted = " (deleted)";
    if (::fstat(fd, &st) == 0 && st.st_nlink == 0 && buf.ends_with(kDeleted))
        buf.resize(buf.size() - kDeleted.size());
    auto slash = buf.rfind('/');
    return slash == std::string::npos ? buf : buf.substr(slash + 1);
}

Result<UniqueFd> open_handle(int mount_fd, const FileHandle& h, int flags, Sys& sys) {
    std::vector<char> buf(sizeof(file_handle) + h.bytes.size());
    auto* fh = reinterpret_cast<file_handle*>(buf.data());
    fh->handle_bytes = static_cast<unsigned>(h.bytes.size());
    fh->handle_type = h.type;
    std::memcpy(fh->f_handle, h.bytes.data(), h.bytes.size());
    UniqueFd fd(sys.open_by_handle_at(mount_fd, fh, flags | O_CLOEXEC));
    if (!fd) return errno_code();
    return fd;
}

void FdReserve::fill() {
    // An eventfd pins no filesystem, so the reserve never keeps one busy.
    while (fds_.size() < kSize) {
        UniqueFd fd(::eventfd(0, EFD_CLOEXEC));
        if (!fd) return;
        fds_.push_back(std::move(fd));
    }
}

}  // namespace fswait
