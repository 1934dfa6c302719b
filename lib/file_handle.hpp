// Identity of a filesystem object as fanotify reports it: (fsid, handle).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "lib/fanotify_records.hpp"
#include "lib/result.hpp"
#include "lib/sys.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

struct FileHandle {
    std::uint64_t fsid = 0;
    int type = 0;
    std::string bytes;

    static FileHandle from(const HandleView& v) { return {v.fsid, v.type, std::string(v.bytes)}; }
    bool matches(const HandleView& v) const { return fsid == v.fsid && type == v.type && bytes == v.bytes; }
    friend bool operator==(const FileHandle&, const FileHandle&) = default;
};

struct FileHandleHash {
    std::size_t operator()(const FileHandle& h) const {
        return std::hash<std::string>()(h.bytes) ^ (std::hash<std::uint64_t>()(h.fsid) * 31u) ^
               static_cast<std::size_t>(h.type);
    }
};

// What a watch needs to know about the object a path names.
struct ObjectInfo {
    FileHandle handle;
    int mount_id = 0;       // the mount the path resolved through (mountinfo's first field)
    bool is_dir = false;    // the object itself (after following a symlink unless !follow)
    bool lstat_dir = false; // the path as typed is a directory, not a symlink to one
};

// Stats and encodes `path` (following a final symlink unless !follow).
Result<ObjectInfo> identify(const std::string& path, bool follow);

// Encodes the object an fd refers to (O_PATH fds included); mount_id, when
// given, receives the id of the mount the fd is on.
Result<FileHandle> handle_of_fd(int fd, int* mount_id = nullptr);

// The filesystem id of what fd refers to (0 when fstatfs fails).
std::uint64_t fsid_of_fd(int fd);

// The name of the directory entry an fd refers to, from its /proc link
// (empty when unknown). " (deleted)" is only stripped when the object really
// is gone: a real name may end with it.
std::string fd_entry_name(int fd);

// open_by_handle_at through any fd on the same filesystem. ESTALE: the
// object is gone for good; EMFILE/ENFILE: it may still be there.
Result<UniqueFd> open_handle(int mount_fd, const FileHandle& h, int flags, Sys& sys = real_sys());

// The process (EMFILE) or the system (ENFILE) has no descriptor left: a
// failure that says nothing about the object and may pass.
inline bool out_of_fds(std::error_code ec) {
    return ec.category() == std::generic_category() && (ec.value() == EMFILE || ec.value() == ENFILE);
}

// Descriptors held back for the moment the process runs out of them, as
// servers do for accept(): lent for one more attempt, they let a directory
// handle be resolved (a mount fd, the directory, its parent) so that its
// event is still delivered.
class FdReserve {
public:
    static constexpr std::size_t kSize = 3;

    // Tops the reserve up; what the system refuses now is taken next time.
    void fill();
    std::size_t size() const { return fds_.size(); }

    // Closes the reserve, runs attempt() (returning an error_code, empty on
    // success), and takes the descriptors back.
    template <class F>
    std::error_code lend(F&& attempt) {
        fds_.clear();
        std::error_code ec = attempt();
        fill();
        return ec;
    }

private:
    std::vector<UniqueFd> fds_;
};

}  // namespace fswait
