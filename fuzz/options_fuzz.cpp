// fswait's and fswatch-stats' command lines: an argv of arbitrary words
// through parse_wait_options and parse_stats_options.
//
// Input: the words separated by NUL, argv[0] first (argv strings cannot
// hold NUL). Both parsers see every input.

#include <string>
#include <vector>

#include "compat/options.hpp"
#include "compat/stats_options.hpp"
#include "fuzz/fuzz_input.hpp"

using namespace fswait::compat;

namespace {

// getopt permutes argv and keeps pointers into it between calls, so every
// parse gets its own copy that outlives the call.
struct Argv {
    explicit Argv(const std::vector<std::string>& words) : words_(words) {
        for (std::string& w : words_) ptrs_.push_back(w.data());
        ptrs_.push_back(nullptr);
    }
    int argc() const { return static_cast<int>(words_.size()); }
    char** argv() { return ptrs_.data(); }

private:
    std::vector<std::string> words_;
    std::vector<char*> ptrs_;
};

std::string opt(const std::optional<std::string>& s) { return s ? "=" + *s : "-"; }

std::string mask(const EventMask& m) {
    return std::to_string(m.kinds.bits()) + (m.isdir ? "d" : "") + (m.oneshot ? "o" : "");
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const std::string& a : v) s += a + '\x1f';
    return s;
}

// Everything a caller acts on, as one comparable string.
std::string summary(const ParseResult& r) {
    const WaitOptions& o = r.options;
    return std::to_string(r.exit_status) + '|' + r.out + '|' + r.err + '|' + mask(o.events) + '|' +
           std::to_string(o.monitor) + std::to_string(o.quiet) + std::to_string(o.timeout) +
           std::to_string(o.recursive) + std::to_string(o.csv) + std::to_string(o.daemon) +
           std::to_string(o.syslog) + std::to_string(o.no_dereference) + std::to_string(o.no_newline) +
           std::to_string(o.json) + std::to_string(o.journal) + std::to_string(static_cast<int>(o.backend)) +
           '|' + opt(o.format) + opt(o.timefmt) + opt(o.fromfile) +
           opt(o.outfile) + opt(o.exclude) + opt(o.excludei) + opt(o.include) + opt(o.includei) + '|' +
           join(o.args);
}

std::string summary(const StatsParseResult& r) {
    const StatsOptions& o = r.options;
    return std::to_string(r.exit_status) + '|' + r.out + '|' + r.err + '|' + mask(o.events) + '|' +
           std::to_string(o.timeout) + std::to_string(o.recursive) + std::to_string(o.zero) +
           std::to_string(o.verbose) + std::to_string(o.no_dereference) +
           (o.sort_kind ? std::to_string(static_cast<unsigned>(*o.sort_kind)) : "-") +
           std::to_string(o.ascending) + std::to_string(static_cast<int>(o.by)) + '/' +
           std::to_string(static_cast<int>(o.backend)) + '/' +
           std::to_string(o.max_rows) + '|' + opt(o.fromfile) + opt(o.exclude) + opt(o.excludei) +
           opt(o.include) + opt(o.includei) + '|' + join(o.args);
}

// What the mains rely on: -1 (run), 0 (--help/--version) or 1; messages are
// whole lines; stdout text only when exiting 0; positional arguments only
// when going on.
template <typename Result>
void check_contract(const Result& r, std::size_t words) {
    FUZZ_CHECK(r.exit_status == -1 || r.exit_status == 0 || r.exit_status == 1);
    FUZZ_CHECK(r.err.empty() || r.err.back() == '\n');
    FUZZ_CHECK(r.out.empty() || r.exit_status == 0);
    FUZZ_CHECK(r.exit_status != 0 || !r.out.empty());
    FUZZ_CHECK(r.options.args.empty() || r.exit_status == -1);
    FUZZ_CHECK(r.options.args.size() < (words > 0 ? words : 1));
}

template <typename Result, typename Parser>
void check(Parser parse, const std::vector<std::string>& words) {
    Argv first(words);
    const Result a = parse(first.argc(), first.argv());
    check_contract(a, words.size());
    // The parsers reset getopt themselves: the same words must give the
    // same answer whatever the previous call left behind.
    Argv again(words);
    const Result b = parse(again.argc(), again.argv());
    FUZZ_CHECK(summary(a) == summary(b));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    unsetenv("POSIXLY_CORRECT");  // getopt must permute, as in the tests
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> words = fuzz::split({reinterpret_cast<const char*>(data), size}, '\0');
    // Real argv has at most a few thousand words; a longer list only slows
    // the fuzzer down without reaching new code.
    if (words.size() > 256) words.resize(256);
    check<ParseResult>(parse_wait_options, words);
    check<StatsParseResult>(parse_stats_options, words);
    return 0;
}
