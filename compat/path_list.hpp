// The list of paths to watch and of "@" exclusions, built the way
// inotifywait's construct_path_list() does.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace fswait::compat {

struct PathList {
    std::vector<std::string> watch;    // as typed: relative stays relative
    std::vector<std::string> exclude;  // "@x" entries without the '@'
};

// fromfile_text: the bytes of the --fromfile list (nullopt when absent or
// unreadable). Entries from the list come first, then args. The list is cut
// the way inotifywait's fgets(buf, 4096) loop cuts it: a line longer than
// 4095 bytes becomes several entries, only the trailing newline is removed,
// nothing is trimmed, and an entry ends at a NUL byte. "" and "@" are
// skipped, "@x" excludes x, anything else is a path.
PathList build_path_list(const std::vector<std::string>& args,
                         const std::optional<std::string>& fromfile_text);

}  // namespace fswait::compat
