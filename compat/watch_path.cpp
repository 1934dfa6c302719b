#include "compat/watch_path.hpp"

namespace fswait::compat {

namespace {

void end_with_slash(std::string& s) {
    if (s.empty() || s.back() != '/') s += '/';
}

}  // namespace

std::string watch_path(std::string_view typed, bool root_is_dir, std::string_view subdir) {
    std::string out;
    out.reserve(typed.size() + subdir.size() + 2);
    out += typed;
    if (root_is_dir) end_with_slash(out);
    if (!subdir.empty()) {
        end_with_slash(out);
        out += subdir;
        end_with_slash(out);
    }
    return out;
}

}  // namespace fswait::compat
