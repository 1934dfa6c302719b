// fanotify reports an event on a directory as (that directory, "."), even
// when it reached us through the mark on its parent. inotify reports the
// same event to the parent's watch with the child's name (`w/ OPEN,ISDIR
// sub`), so we keep a table of the subdirectories of every watched
// directory: seeded when the mark is placed, kept current from the stream,
// and resolved through open_by_handle_at only as a last resort (that fails
// once the directory is gone, e.g. under `rm -rf`).
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/file_handle.hpp"
#include "lib/result.hpp"
#include "lib/root_table.hpp"
#include "lib/sys.hpp"

namespace fswait {

class ChildDirs {
public:
    using Parents = std::vector<std::pair<int, std::string>>;  // (root, name in it)

    explicit ChildDirs(const RootTable& roots, Sys& sys = real_sys()) : roots_(roots), sys_(sys) {}

    // Records every subdirectory of root `root` (an open directory fd).
    void seed(int root, int dirfd);
    // Forgets everything (before seeding again after lost events).
    void clear() { table_.clear(); }

    // The watched directories holding `dir`, with its name there. A
    // directory that is gone (ESTALE) or outside is remembered as holding
    // nothing; one that could not be opened for lack of descriptors is not.
    const Parents& lookup(const HandleView& dir);

    // Lookups refused a descriptor (EMFILE, ENFILE), retried with the
    // reserve; and those refused again, whose event went unreported.
    std::uint64_t no_fds() const { return no_fds_; }
    std::uint64_t no_fds_lost() const { return no_fds_lost_; }

    // Stream updates. `handle` may be null when the kernel gave none (before
    // FAN_REPORT_TARGET_FID); the entry is then found by its name.
    void created(int root, const std::string& name, const HandleView* handle);
    void moved(int from_root, const std::string& old_name, int to_root, const std::string& new_name,
               const HandleView* handle);
    void deleted(int root, const std::string& name);

private:
    Result<Parents> resolve(const HandleView& dir) const;
    Result<Parents> resolve_or_lend(const HandleView& dir);
    void insert(FileHandle h, int root, const std::string& name);

    const RootTable& roots_;
    Sys& sys_;
    std::unordered_map<FileHandle, Parents, FileHandleHash> table_;
    FdReserve spare_fds_;
    std::uint64_t no_fds_ = 0, no_fds_lost_ = 0;
    const Parents none_;
};

// The name of the directory `child_fd` in the directory `parent_fd`, found
// by its inode; "" when it is not there. For when its /proc/self/fd link
// cannot be read: past a page (4096 bytes) of path, readlink fails.
std::string child_dir_name(int parent_fd, int child_fd);

// open(2) of the directory `rel` below `top` ("" = top itself), also when the
// path is longer than PATH_MAX (ENAMETOOLONG): then one component at a time,
// never following a symlink below `top`.
UniqueFd open_below(const std::string& top, const std::string& rel, int flags);

}  // namespace fswait
