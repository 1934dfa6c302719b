// The -e argument: parse_event_list / parse_events_arg directly, and as both
// tools see it through their option parsers (fswait -e; fswatch-stats -e,
// -a and -d, which take event names too).
//
// Input: the argument (up to the first NUL, as argv would cut it).

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <string>
#include <vector>

#include "compat/event_names.hpp"
#include "compat/option_values.hpp"
#include "compat/options.hpp"
#include "compat/stats_options.hpp"
#include "fuzz/fuzz_input.hpp"

using fswait::Kind;
using fswait::KindSet;
using namespace fswait::compat;

namespace {

constexpr KindSet kClose = Kind::close_write | Kind::close_nowrite;

bool same(const EventMask& a, const EventMask& b) {
    return a.kinds == b.kinds && a.isdir == b.isdir && a.oneshot == b.oneshot;
}

std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
    return s;
}

template <typename Result, typename Parser>
Result run(Parser parse, std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return parse(static_cast<int>(args.size()), argv.data());
}

// Output names read back as input names: CLOSE stands for both close kinds.
void check_names_round_trip(const EventMask& mask) {
    std::string names;
    append_event_names(names, mask.kinds, mask.isdir, ',');
    std::transform(names.begin(), names.end(), names.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    const auto back = parse_event_list(names);
    FUZZ_CHECK(back.has_value());
    KindSet expected = mask.kinds;
    if (expected.intersects(kClose)) expected |= kClose;
    FUZZ_CHECK(back->kinds == expected);
    FUZZ_CHECK(back->isdir == mask.isdir);
}

void check_wait(const std::string& arg, const EventsArg& direct) {
    const auto r = run<ParseResult>(parse_wait_options, {"fswait", "-e", arg, "path"});
    if (direct.mask) {
        FUZZ_CHECK(r.exit_status == -1 && r.err.empty());
        FUZZ_CHECK(same(r.options.events, *direct.mask));
    } else {
        FUZZ_CHECK(r.exit_status == 1 && r.err == direct.error);
    }
}

void check_stats(const std::string& arg, const EventsArg& direct) {
    const auto r = run<StatsParseResult>(parse_stats_options, {"fswatch-stats", "-e", arg, "path"});
    if (direct.mask) {
        FUZZ_CHECK(r.exit_status == -1 && r.err.empty());
        FUZZ_CHECK(same(r.options.events, *direct.mask));
    } else {
        FUZZ_CHECK(r.exit_status == 1 && r.err == direct.error);
    }
    // A sort key is accepted only when it names one column (or "total").
    for (const char* opt : {"-a", "-d"}) {
        const auto s = run<StatsParseResult>(parse_stats_options, {"fswatch-stats", opt, arg, "path"});
        FUZZ_CHECK(s.exit_status == -1 || s.exit_status == 1);
        FUZZ_CHECK(s.exit_status == -1 ? s.err.empty() : !s.err.empty() && s.err.back() == '\n');
        if (s.exit_status == -1 && s.options.sort_kind)
            FUZZ_CHECK(std::has_single_bit(static_cast<std::uint32_t>(*s.options.sort_kind)));
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    unsetenv("POSIXLY_CORRECT");  // getopt must permute, as in the tests
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string arg = fuzz::split({reinterpret_cast<const char*>(data), size}, '\0')[0];

    const auto list = parse_event_list(arg);
    const EventsArg direct = parse_events_arg(arg.c_str());
    FUZZ_CHECK(list.has_value() == direct.mask.has_value());
    if (list) {
        FUZZ_CHECK(same(*list, *direct.mask) && direct.error.empty());
        check_names_round_trip(*list);
    } else {
        FUZZ_CHECK(direct.error.find(arg) != std::string::npos && direct.error.back() == '\n');
    }

    // Names are case-insensitive (ASCII only).
    const auto shouted = parse_event_list(upper(arg));
    FUZZ_CHECK(shouted.has_value() == list.has_value());
    if (list) FUZZ_CHECK(same(*shouted, *list));

    check_wait(arg, direct);
    check_stats(arg, direct);
    return 0;
}
