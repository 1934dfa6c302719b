// How inotifywait spells %w.
#pragma once

#include <string>
#include <string_view>

namespace fswait::compat {

// %w for an event: the root as the user typed it; '/' appended when
// root_is_dir and the typed text does not already end in '/'; then, for an
// event in a subdirectory below the root (recursive mode), `subdir` + '/'.
// The caller decides root_is_dir: inotifywait uses lstat for a plain watch
// (a symlink to a dir prints "link", E97) but always adds the slash under -r
// (a symlink root prints "link/" there). A '/' always separates the root
// from `subdir`, as inotifywait's recursive scan does.
// ("w",dir,"")->"w/"; ("w/",dir,"")->"w/"; ("w/file",file,"")->"w/file";
// ("w",dir,"a/b")->"w/a/b/"; ("link",not-dir,"a")->"link/a/".
std::string watch_path(std::string_view typed, bool root_is_dir, std::string_view subdir);

}  // namespace fswait::compat
