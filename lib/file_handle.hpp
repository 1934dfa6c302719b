// Identity of a filesystem object as fanotify reports it: (fsid, handle).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include "lib/fanotify_records.hpp"
#include "lib/result.hpp"
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

// open_by_handle_at through any fd on the same filesystem.
Result<UniqueFd> open_handle(int mount_fd, const FileHandle& h, int flags);

}  // namespace fswait
