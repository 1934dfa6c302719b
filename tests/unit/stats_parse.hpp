// Runs fswatch-stats' option parser and checks the outcome, for the test
// programs of its options (stats_options_test, stats_sort_test): what
// "accepted" means, and the two ways a command line is refused.
#pragma once

#include <boost/test/unit_test.hpp>
#include <initializer_list>
#include <string>

#include "compat/stats_options.hpp"
#include "tests/unit/stderr_capture.hpp"

namespace fswait::test::stats {

using Run = ParserRun<compat::StatsParseResult>;

inline Run run_as(const char* argv0, std::initializer_list<const char*> args) {
    return run_parser(compat::parse_stats_options, argv0, args);
}

inline Run run(std::initializer_list<const char*> args) { return run_as("fswatch-stats", args); }

// Accepted: go on and run, nothing printed by anyone.
inline compat::StatsOptions accepted(std::initializer_list<const char*> args) {
    const Run r = run(args);
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.err.empty());
    BOOST_TEST(r.result.out.empty());
    BOOST_TEST(r.getopt_stderr.empty());
    return r.result.options;
}

// An option error: exit 1, exactly this on stderr (from us), nothing from getopt.
inline void expect_error(std::initializer_list<const char*> args, const std::string& err) {
    const Run r = run(args);
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.result.err == err);
    BOOST_TEST(r.result.out.empty());
    BOOST_TEST(r.getopt_stderr.empty());
}

// getopt reported the problem itself: exit 1, its text on fd 2, ours empty.
inline void expect_getopt_error(std::initializer_list<const char*> args, const std::string& text) {
    const Run r = run_as("./bin/fswatch-stats", args);
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.getopt_stderr == text);
    BOOST_TEST(r.result.err.empty());
    BOOST_TEST(r.result.out.empty());
}

inline const std::string kLongIntHint = "Please specify a long int value.\n";
inline const std::string kUnwatched = "Can't sort by an event which isn't being watched for!\n";
inline const std::string kOnce = "Please specify -a or -d once only!\n";
inline const std::string kMove = "Cannot sort by `move' event; please use `moved_from' or `moved_to'.\n";
inline const std::string kClose =
    "Cannot sort by `close' event; please use `close_write' or `close_nowrite'.\n";

inline std::string invalid_key(const std::string& key) {
    return "'" + key + "' is not a valid key for sorting!\n";
}

}  // namespace fswait::test::stats
