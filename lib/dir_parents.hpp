// fanotify reports an event on a directory as (that directory, "."), even
// when it reached us through the mark on its parent. inotify reports the
// same event to the parent's watch with the child's name (`w/ OPEN,ISDIR
// sub`), so we must find which watched directories hold this one.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/root_table.hpp"

namespace fswait {

class DirParents {
public:
    using Parents = std::vector<std::pair<int, std::string>>;  // (root, name in it)

    explicit DirParents(const RootTable& roots) : roots_(roots) {}

    // Cached; a miss costs open_by_handle_at + openat("..") + readlink.
    const Parents& lookup(const HandleView& dir);

    // Any directory entry change may have moved a cached directory.
    void invalidate() { cache_.clear(); }

private:
    Parents resolve(const HandleView& dir) const;

    const RootTable& roots_;
    std::unordered_map<FileHandle, Parents, FileHandleHash> cache_;
};

}  // namespace fswait
