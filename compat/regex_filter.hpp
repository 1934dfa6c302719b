// inotifywait's --exclude/--excludei/--include/--includei filter: one POSIX
// extended regular expression, matched unanchored against "%w%f".
#pragma once

#include <regex.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fswait::compat {

class RegexFilter {
public:
    // nullopt when regcomp() rejects the pattern. Flags are inotifywait's:
    // REG_EXTENDED|REG_NOSUB, plus REG_ICASE for the "i" variants.
    static std::optional<RegexFilter> compile(const std::string& pattern, bool icase,
                                              bool include);

    // path is the event's %w%f. An exclude filter drops what matches, an
    // include filter drops what does not (a regexec() failure counts as "no
    // match", as in inotifytools).
    bool drops(std::string_view path) const;

    bool is_include() const { return include_; }

private:
    struct Free {
        void operator()(regex_t* re) const;
    };

    RegexFilter(std::unique_ptr<regex_t, Free> re, bool include)
        : re_(std::move(re)), include_(include) {}

    // Held on the heap: POSIX does not promise that a regex_t may be moved
    // byte-wise, so the object itself never moves.
    std::unique_ptr<regex_t, Free> re_;
    bool include_ = false;
};

// The filter inotifywait builds from its four options (after a successful
// parse at most one of them is set). error is empty or holds the exact
// stderr line for a bad pattern; the caller then exits 1.
struct FilterSetup {
    std::optional<RegexFilter> filter;  // nullopt: no filter (or error)
    std::string error;
};
FilterSetup make_filter(const std::optional<std::string>& exclude,
                        const std::optional<std::string>& excludei,
                        const std::optional<std::string>& include,
                        const std::optional<std::string>& includei);

}  // namespace fswait::compat
