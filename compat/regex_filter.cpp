#include "compat/regex_filter.hpp"

namespace fswait::compat {

void RegexFilter::Free::operator()(regex_t* re) const {
    regfree(re);
    delete re;
}

std::optional<RegexFilter> RegexFilter::compile(const std::string& pattern, bool icase,
                                                bool include) {
    auto* raw = new regex_t{};
    const int flags = REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0);
    if (regcomp(raw, pattern.c_str(), flags) != 0) {
        // No regfree(): POSIX leaves a failed regex_t undefined, and glibc
        // has already released what it allocated.
        delete raw;
        return std::nullopt;
    }
    return RegexFilter(std::unique_ptr<regex_t, Free>(raw), include);
}

bool RegexFilter::drops(std::string_view path) const {
    const std::string text(path);  // regexec() wants a NUL-terminated string
    const bool matched = regexec(re_.get(), text.c_str(), 0, nullptr, 0) == 0;
    return include_ ? !matched : matched;
}

namespace {

// inotifywait tries the exclude pair before the include pair and names the
// pair, not the option, in its message.
std::optional<RegexFilter> try_compile(const std::optional<std::string>& pattern, bool icase,
                                       bool include, bool& failed) {
    if (!pattern || failed) return std::nullopt;
    auto filter = RegexFilter::compile(*pattern, icase, include);
    failed = !filter;
    return filter;
}

}  // namespace

FilterSetup make_filter(const std::optional<std::string>& exclude,
                        const std::optional<std::string>& excludei,
                        const std::optional<std::string>& include,
                        const std::optional<std::string>& includei) {
    FilterSetup setup;
    bool failed = false;
    auto chosen = try_compile(exclude, false, false, failed);
    if (!chosen) chosen = try_compile(excludei, true, false, failed);
    if (failed) {
        setup.error = "Error in `exclude' regular expression.\n";
        return setup;
    }
    if (!chosen) chosen = try_compile(include, false, true, failed);
    if (!chosen) chosen = try_compile(includei, true, true, failed);
    if (failed) {
        setup.error = "Error in `include' regular expression.\n";
        return setup;
    }
    setup.filter = std::move(chosen);
    return setup;
}

}  // namespace fswait::compat
