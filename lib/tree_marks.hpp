// The marks a TreeWatch places, apart from following the event stream: a
// filesystem mark per filesystem holding part of a tree, a mark per
// directory where the kernel refuses that (inode-mark mode), and the
// evictable ignore marks that keep directories outside the trees quiet.
// Those TreeWatch members live in tree_marks.cpp; this header holds what
// they share with tree_watch.cpp. Internal to lib/.
#pragma once

#include <string>
#include <string_view>

#include "lib/dir_tree.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/file_handle.hpp"

namespace fswait {

// fanotify_mark(FAN_MARK_FILESYSTEM) failed with `err` because this
// filesystem cannot have one: its directories are marked one by one.
bool refused_filesystem_mark(int err);

namespace tree_detail {

// The DirTree key of a directory handle.
inline std::string key_of(const HandleView& h) {
    std::string buf;
    handle_key(h, buf);
    return buf;
}

inline std::string key_of(const FileHandle& h) { return key_of(HandleView{h.fsid, h.type, h.bytes}); }

// A path relative to a root; "" is the root itself.
inline std::string join(std::string_view rel, std::string_view name) {
    std::string out(rel);
    if (!out.empty()) out.push_back('/');
    out.append(name);
    return out;
}

inline std::string strip_slashes(std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
}

}  // namespace tree_detail
}  // namespace fswait
