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

#include "lib/root_table.hpp"

namespace fswait {

class ChildDirs {
public:
    using Parents = std::vector<std::pair<int, std::string>>;  // (root, name in it)

    explicit ChildDirs(const RootTable& roots) : roots_(roots) {}

    // Records every subdirectory of root `root` (an open directory fd).
    void seed(int root, int dirfd);
    // Forgets everything (before seeding again after lost events).
    void clear() { table_.clear(); }

    // The watched directories holding `dir`, with its name there.
    const Parents& lookup(const HandleView& dir);

    // Stream updates. `handle` may be null when the kernel gave none (before
    // FAN_REPORT_TARGET_FID); the entry is then found by its name.
    void created(int root, const std::string& name, const HandleView* handle);
    void moved(int from_root, const std::string& old_name, int to_root, const std::string& new_name,
               const HandleView* handle);
    void deleted(int root, const std::string& name);

private:
    Parents resolve(const HandleView& dir) const;
    void insert(FileHandle h, int root, const std::string& name);

    const RootTable& roots_;
    std::unordered_map<FileHandle, Parents, FileHandleHash> table_;
};

}  // namespace fswait
