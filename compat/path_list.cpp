#include "compat/path_list.hpp"

#include <string_view>

namespace fswait::compat {

namespace {

// fgets() with a 4096-byte buffer keeps one byte for the terminating NUL.
constexpr std::size_t kFgetsMax = 4095;

void add_entry(std::string_view entry, PathList& list) {
    if (entry.empty() || entry == "@") return;
    if (entry.front() == '@')
        list.exclude.emplace_back(entry.substr(1));
    else
        list.watch.emplace_back(entry);
}

// What one fgets() call returns: up to and including the next newline, but
// never more than kFgetsMax bytes.
std::string_view next_chunk(std::string_view rest) {
    const std::size_t newline = rest.find('\n');
    const std::size_t len = newline == std::string_view::npos ? rest.size() : newline + 1;
    return rest.substr(0, len < kFgetsMax ? len : kFgetsMax);
}

// inotifywait looks at the chunk as a C string, so a NUL byte ends it (and
// the newline behind that NUL is then not the "trailing" one).
std::string_view as_entry(std::string_view chunk) {
    chunk = chunk.substr(0, chunk.find('\0'));
    if (!chunk.empty() && chunk.back() == '\n') chunk.remove_suffix(1);
    return chunk;
}

}  // namespace

PathList build_path_list(const std::vector<std::string>& args,
                         const std::optional<std::string>& fromfile_text) {
    PathList list;
    if (fromfile_text) {
        std::string_view rest = *fromfile_text;
        while (!rest.empty()) {
            const std::string_view chunk = next_chunk(rest);
            add_entry(as_entry(chunk), list);
            rest.remove_prefix(chunk.size());
        }
    }
    for (const std::string& arg : args) add_entry(arg, list);
    return list;
}

}  // namespace fswait::compat
