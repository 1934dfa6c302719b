// Listing a directory for the walks that learn a tree (seeding, new
// directories in inode-mark mode).
#pragma once

#include <functional>
#include <string_view>

#include "lib/file_handle.hpp"
#include "lib/result.hpp"

namespace fswait {

// Calls fn(name, is_dir) for every entry of the open directory dirfd but "."
// and "..". Symlinks are not directories here: recursion never follows them.
void scan_dir(int dirfd, const std::function<void(std::string_view name, bool is_dir)>& fn);

// The handle of the subdirectory `name` of dirfd, never following a symlink.
Result<FileHandle> subdir_handle(int dirfd, const char* name);

}  // namespace fswait
