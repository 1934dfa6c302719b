// The objects the user asked to watch ("roots"), looked up by the handles
// that fanotify records carry.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "lib/file_handle.hpp"

namespace fswait {

struct Root {
    std::string path;      // as the user typed it
    ObjectInfo info;
    std::string mount_dir; // a directory on the same filesystem, for open_by_handle_at
    dev_t mount_dev = 0;   // the filesystem's device as mountinfo spells it (not st_dev:
                           // they differ on btrfs subvolumes)
    bool alive = true;     // false once deleted, unmounted or (oneshot) used up
};

class RootTable {
public:
    // Returns the index of an existing root for the same object, or -1.
    int find(const FileHandle& h) const;
    int add(Root r);

    // The live directory (or non-directory) root with this handle, or -1.
    int find_dir(const HandleView& v) const { return find_live(v, true); }
    int find_file(const HandleView& v) const { return find_live(v, false); }

    bool has_live_dir_on(std::uint64_t fsid) const;

    Root& operator[](int i) { return roots_[static_cast<std::size_t>(i)]; }
    const Root& operator[](int i) const { return roots_[static_cast<std::size_t>(i)]; }
    int size() const { return static_cast<int>(roots_.size()); }

private:
    int find_live(const HandleView& v, bool dir) const;

    std::vector<Root> roots_;
    std::unordered_map<FileHandle, int, FileHandleHash> by_handle_;
};

}  // namespace fswait
