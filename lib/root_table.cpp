#include "lib/root_table.hpp"

namespace fswait {

int RootTable::find(const FileHandle& h) const {
    auto it = by_handle_.find(h);
    return it == by_handle_.end() ? -1 : it->second;
}

int RootTable::add(Root r) {
    int idx = size();
    by_handle_.emplace(r.info.handle, idx);
    roots_.push_back(std::move(r));
    return idx;
}

int RootTable::find_live(const HandleView& v, bool dir) const {
    // Handles in records point into the read buffer; building a key costs a
    // copy, so compare in place (the table holds a handful of roots).
    for (int i = 0; i < size(); ++i) {
        const Root& r = roots_[static_cast<std::size_t>(i)];
        if (r.alive && r.info.is_dir == dir && r.info.handle.matches(v)) return i;
    }
    return -1;
}

bool RootTable::has_live_dir_on(std::uint64_t fsid) const {
    for (const Root& r : roots_)
        if (r.alive && r.info.is_dir && r.info.handle.fsid == fsid) return true;
    return false;
}

}  // namespace fswait
