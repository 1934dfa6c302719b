#define BOOST_TEST_MODULE stats_options
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "compat/help_text.hpp"
#include "compat/stats_options.hpp"
#include "tests/unit/help_parse.hpp"
#include "tests/unit/stats_parse.hpp"

using namespace fswait;
using namespace fswait::compat;
using namespace fswait::test::stats;

namespace {

const std::vector<std::string> kNoArgs;

}  // namespace

// ---- positional arguments and getopt conventions -------------------------

BOOST_AUTO_TEST_CASE(defaults_with_one_path) {
    const StatsOptions o = accepted({"w"});
    BOOST_TEST((o.args == std::vector<std::string>{"w"}));
    BOOST_TEST(o.events.none());
    BOOST_TEST(o.timeout == 0);
    BOOST_TEST(!o.recursive);
    BOOST_TEST(!o.zero);
    BOOST_TEST(!o.verbose);
    BOOST_TEST(!o.no_dereference);
    BOOST_TEST(!o.sort_kind.has_value());
    BOOST_TEST(!o.ascending);
    BOOST_TEST(!o.fromfile.has_value());
    BOOST_TEST(!o.exclude.has_value());
    BOOST_TEST(!o.excludei.has_value());
    BOOST_TEST(!o.include.has_value());
    BOOST_TEST(!o.includei.has_value());
    BOOST_TEST((o.by == StatsBy::directory));
    BOOST_TEST(o.max_rows == 0u);
}

BOOST_AUTO_TEST_CASE(no_arguments_is_not_an_option_error) {
    // "No files specified to watch!" comes later, from the path list (E133).
    const StatsOptions o = accepted({});
    BOOST_TEST(o.args == kNoArgs);
}

BOOST_AUTO_TEST_CASE(permutation_and_double_dash) {
    const Run r = run({"w", "-z", "--", "-a", "-dash"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST((r.result.options.args == std::vector<std::string>{"w", "-a", "-dash"}));
    BOOST_TEST(r.result.options.zero);
    BOOST_TEST(!r.result.options.sort_kind.has_value());
    BOOST_TEST((r.argv_after ==
                std::vector<std::string>{"fswatch-stats", "-z", "--", "w", "-a", "-dash"}));
}

BOOST_AUTO_TEST_CASE(options_between_paths_keep_path_order) {
    const StatsOptions o = accepted({"a", "-r", "b", "-e", "create", "c", "-d", "create", "-v"});
    BOOST_TEST((o.args == std::vector<std::string>{"a", "b", "c"}));
    BOOST_TEST(o.recursive);
    BOOST_TEST(o.verbose);
    BOOST_TEST((o.sort_kind == Kind::create));
}

BOOST_AUTO_TEST_CASE(special_positional_arguments_are_kept_raw) {
    const StatsOptions o = accepted({"", "@", "@x", "w"});
    BOOST_TEST((o.args == std::vector<std::string>{"", "@", "@x", "w"}));
}

BOOST_AUTO_TEST_CASE(unique_prefixes_and_equals_values) {
    const StatsOptions o = accepted({"--timeo=3", "--desc", "modify", "--zer", "--rec", "--no",
                                     "--from=list", "--ev=create,modify", "w"});
    BOOST_TEST(o.timeout == 3);
    BOOST_TEST((o.sort_kind == Kind::modify));
    BOOST_TEST(!o.ascending);
    BOOST_TEST(o.zero);
    BOOST_TEST(o.recursive);
    BOOST_TEST(o.no_dereference);
    BOOST_TEST(o.fromfile.value_or("") == "list");
    BOOST_TEST(o.events.kinds.has(Kind::create));
    // inotifywatch has no --time* sibling, so "--time" is --timeout here.
    BOOST_TEST(accepted({"--time", "4", "w"}).timeout == 4);
    BOOST_TEST(accepted({"--asc", "total", "w"}).ascending);
}

BOOST_AUTO_TEST_CASE(verbose_prefixes_stay_unambiguous) {
    // No --version: inotifywatch has none, and it would make these ambiguous.
    for (const char* opt : {"--v", "--ve", "--ver", "--verb", "--verbose"})
        BOOST_TEST(accepted({opt, "w"}).verbose, opt);
    expect_getopt_error({"--version"}, "./bin/fswatch-stats: unrecognized option '--version'\n");
}

BOOST_AUTO_TEST_CASE(short_option_clusters_and_attached_values) {
    const StatsOptions o = accepted({"-rzvPt5", "-ecreate,modify", "-amodify", "w"});
    BOOST_TEST(o.recursive);
    BOOST_TEST(o.zero);
    BOOST_TEST(o.verbose);
    BOOST_TEST(o.no_dereference);
    BOOST_TEST(o.timeout == 5);
    BOOST_TEST(o.events.kinds.has(Kind::create));
    BOOST_TEST((o.sort_kind == Kind::modify));
    BOOST_TEST(o.ascending);
}

BOOST_AUTO_TEST_CASE(flags_given_twice_are_fine) {
    const StatsOptions o = accepted({"-r", "--recursive", "-vv", "-zz", "-PP", "w"});
    BOOST_TEST(o.recursive);
    BOOST_TEST(o.verbose);
    BOOST_TEST(o.zero);
    BOOST_TEST(o.no_dereference);
}

BOOST_AUTO_TEST_CASE(repeated_calls_start_from_scratch) {
    // The first call stops inside the cluster "-hz"; without a full getopt
    // reset the second call would resume at the pending 'z'.
    const Run first = run({"-hz", "w"});
    BOOST_TEST(first.result.exit_status == 0);
    const Run second = run({"-v", "x"});
    BOOST_TEST(second.result.exit_status == -1);
    BOOST_TEST(!second.result.options.zero);
    BOOST_TEST(second.result.options.verbose);
    BOOST_TEST((second.result.options.args == std::vector<std::string>{"x"}));
}

// ---- getopt's own diagnostics (same text as inotifywatch's) ----------------

BOOST_AUTO_TEST_CASE(getopt_unrecognized_and_invalid_options) {
    expect_getopt_error({"--bogus", "w"}, "./bin/fswatch-stats: unrecognized option '--bogus'\n");
    expect_getopt_error({"-x", "w"}, "./bin/fswatch-stats: invalid option -- 'x'\n");
    // inotifywait's letters, and those inotifywatch uses internally for its
    // long-only options, are not short options.
    for (const char* letter : {"m", "q", "c", "o", "b", "j", "k", "n", "V", "f"})
        expect_getopt_error({(std::string("-") + letter).c_str(), "w"},
                            std::string("./bin/fswatch-stats: invalid option -- '") + letter +
                                "'\n");
    expect_getopt_error({"--monitor", "w"},
                        "./bin/fswatch-stats: unrecognized option '--monitor'\n");
}

BOOST_AUTO_TEST_CASE(getopt_missing_arguments) {
    for (const char* letter : {"e", "t", "a", "d"})
        expect_getopt_error({"w", (std::string("-") + letter).c_str()},
                            std::string("./bin/fswatch-stats: option requires an argument -- '") +
                                letter + "'\n");
    for (const char* name : {"ascending", "descending", "fromfile", "exclude", "by", "max-rows"})
        expect_getopt_error({(std::string("--") + name).c_str()},
                            std::string("./bin/fswatch-stats: option '--") + name +
                                "' requires an argument\n");
}

BOOST_AUTO_TEST_CASE(getopt_ambiguous_prefixes_list_candidates_in_inotifywatch_order) {
    expect_getopt_error({"--in", "a", "w"},
                        "./bin/fswatch-stats: option '--in' is ambiguous; possibilities: "
                        "'--inotify' '--include' '--includei'\n");
    expect_getopt_error({"--ex", "a", "w"},
                        "./bin/fswatch-stats: option '--ex' is ambiguous; possibilities: "
                        "'--exclude' '--excludei'\n");
    expect_getopt_error({"--f", "x", "w"},
                        "./bin/fswatch-stats: option '--f' is ambiguous; possibilities: "
                        "'--fanotify' '--filesystem' '--fromfile'\n");
    expect_getopt_error({"--e", "x", "w"},
                        "./bin/fswatch-stats: option '--e' is ambiguous; possibilities: "
                        "'--event' '--exclude' '--excludei'\n");
}

BOOST_AUTO_TEST_CASE(getopt_error_stops_the_scan_but_the_checks_still_run) {
    const Run r = run({"-e", "modify", "-a", "access", "--bogus", "w"});
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.getopt_stderr == "fswatch-stats: unrecognized option '--bogus'\n");
    BOOST_TEST(r.result.err == kUnwatched);

    const Run x = run({"--exclude", "a", "--excludei", "b", "--bogus", "-h"});
    BOOST_TEST(x.result.exit_status == 1);
    BOOST_TEST(x.getopt_stderr == "fswatch-stats: unrecognized option '--bogus'\n");
    BOOST_TEST(x.result.err == "--exclude and --excludei cannot both be specified.\n");
    BOOST_TEST(x.result.out.empty());  // -h was never read
}

// ---- --help ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(help_goes_to_stdout_and_exits_zero) {
    // inotifywatch exits 1 here; fswait's tools exit 0 (README).
    for (const char* opt : {"-h", "--help", "--he", "--h"}) {
        const Run r = run_as("/usr/local/bin/fswatch-stats", {"w", opt, "--bogus"});
        BOOST_TEST(r.result.exit_status == 0);
        BOOST_TEST(r.result.out == stats_help_text("fswatch-stats"));
        BOOST_TEST(r.result.err.empty());
        BOOST_TEST(r.getopt_stderr.empty());  // the scan ended before --bogus
    }
}

BOOST_AUTO_TEST_CASE(help_is_only_printed_if_reached) {
    expect_error({"-t", "x", "-h"}, "'x' is not a valid timeout value.\n" + kLongIntHint);
    expect_error({"-a", "bogus", "-h"}, invalid_key("bogus"));
    // ... and once reached, nothing read earlier is checked (inotifywatch too).
    const Run r = run({"-e", "modify", "-a", "access", "-d", "close", "-h"});
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.result.err == kOnce);
    const Run h = run({"-d", "close", "-I", "--exclude", "a", "--excludei", "b", "-h"});
    BOOST_TEST(h.result.exit_status == 0);
    BOOST_TEST(h.result.err.empty());
}

// ---- -t --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(timeout_values_accepted) {
    BOOST_TEST(accepted({"-t", "1", "w"}).timeout == 1);
    BOOST_TEST(accepted({"-t", "0", "w"}).timeout == 0);
    BOOST_TEST(accepted({"--timeout=30", "w"}).timeout == 30);
    BOOST_TEST(accepted({"-t", " 5", "w"}).timeout == 5);
    BOOST_TEST(accepted({"-t", "+7", "w"}).timeout == 7);
    BOOST_TEST(accepted({"-t", "1", "-t", "9", "w"}).timeout == 9);
    BOOST_TEST(accepted({"-t", "-1", "w"}).timeout == -1);  // left to the caller
}

BOOST_AUTO_TEST_CASE(timeout_values_rejected) {
    for (const char* bad : {"abc", "1.5", "5 ", "0x10", "1e3", "-", "--"})
        expect_error({"-t", bad, "w"},
                     "'" + std::string(bad) + "' is not a valid timeout value.\n" + kLongIntHint);
    expect_error({"-t", "", "w"},
                 "The provided value is not a valid timeout value.\n" + kLongIntHint);
    const std::string range =
        "Something went wrong with the timeout value you provided.\n"
        "Numerical result out of range\n";
    expect_error({"-t", "99999999999999999999", "w"}, range);
    expect_error({"--timeout=99999999999999999999x", "w"}, range);  // errno is checked first
}

// ---- -e --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(events_accumulate) {
    const StatsOptions o = accepted({"-e", "create", "--event", "modify", "-e", "close", "w"});
    BOOST_TEST(o.events.kinds.has(Kind::create));
    BOOST_TEST(o.events.kinds.has(Kind::modify));
    BOOST_TEST(o.events.kinds.has(Kind::close_write));
    BOOST_TEST(o.events.kinds.has(Kind::close_nowrite));
    BOOST_TEST(!o.events.kinds.has(Kind::access));
    BOOST_TEST(accepted({"-e", "UNMOUNT,isdir", "w"}).events.isdir);
}

BOOST_AUTO_TEST_CASE(empty_event_items_add_nothing) {
    BOOST_TEST(accepted({"-e", "", "-e", "create,", "-e", ",foo", "w"}).events.none());
}

BOOST_AUTO_TEST_CASE(invalid_event_names_quote_the_whole_argument) {
    const std::string tail = " is not a valid event!  Run with the '--help' option to see a "
                             "list of events.\n";
    expect_error({"-e", "foo", "w"}, "'foo'" + tail);
    expect_error({"-e", "create,foo", "w"}, "'create,foo'" + tail);
    expect_error({"-e", "create", "--event=FOO", "w"}, "'FOO'" + tail);
    expect_error({"-e", "dont_follow", "w"}, "'dont_follow'" + tail);
    expect_error({"-ez", "w"}, "'z'" + tail);  // the cluster's rest is the value
}

BOOST_AUTO_TEST_CASE(scan_stops_at_the_first_failing_option) {
    expect_error({"-t", "abc", "-e", "foo"}, "'abc' is not a valid timeout value.\n" + kLongIntHint);
    expect_error({"-a", "x", "-t", "y"}, invalid_key("x"));
    // ... and the checks after the scan do not run either.
    expect_error({"-e", "modify", "-a", "access", "-t", "y"},
                 "'y' is not a valid timeout value.\n" + kLongIntHint);
    expect_error({"--exclude", "a", "--excludei", "b", "-e", "foo"},
                 "'foo' is not a valid event!  Run with the '--help' option to see a list "
                 "of events.\n");
}

// ---- --fromfile and the regular expressions ---------------------------------

BOOST_AUTO_TEST_CASE(fromfile_only_once) {
    expect_error({"--fromfile", "a", "--fromfile", "b"}, "Multiple --fromfile options given.\n");
    expect_error({"--fromfile=a", "--from", "a", "w"}, "Multiple --fromfile options given.\n");
    BOOST_TEST(accepted({"--fromfile", "-"}).fromfile.value_or("") == "-");
}

BOOST_AUTO_TEST_CASE(last_regex_wins_without_a_warning) {
    // Unlike inotifywait, inotifywatch does not warn about a repeated --exclude.
    BOOST_TEST(accepted({"--exclude", "a", "--exclude", "b", "w"}).exclude.value_or("") == "b");
    BOOST_TEST(accepted({"--excludei", "a", "--excludei", "b", "w"}).excludei.value_or("") == "b");
    BOOST_TEST(accepted({"--include", "a", "--include", "b", "w"}).include.value_or("") == "b");
    BOOST_TEST(accepted({"--includei", "a", "--includei", "b", "w"}).includei.value_or("") == "b");
}

BOOST_AUTO_TEST_CASE(each_regex_conflict_message) {
    expect_error({"--exclude", "a", "--excludei", "b", "w"},
                 "--exclude and --excludei cannot both be specified.\n");
    expect_error({"--include", "a", "--includei", "b", "w"},
                 "--include and --includei cannot both be specified.\n");
    const std::string both = "include and exclude regexp cannot both be specified.\n";
    expect_error({"--include", "a", "--exclude", "b", "w"}, both);
    expect_error({"--include", "a", "--excludei", "b", "w"}, both);
    expect_error({"--includei", "a", "--exclude", "b", "w"}, both);
    expect_error({"--includei", "a", "--excludei", "b", "w"}, both);
}

BOOST_AUTO_TEST_CASE(checks_after_the_scan_come_in_inotifywatch_order) {
    // Each step removes the cause of the previous message and reveals the next.
    expect_error({"-e", "modify", "-a", "access", "--exclude", "a", "--excludei", "b",
                  "--include", "c", "--includei", "d"},
                 kUnwatched);
    expect_error({"--exclude", "a", "--excludei", "b", "--include", "c", "--includei", "d"},
                 "--exclude and --excludei cannot both be specified.\n");
    expect_error({"--exclude", "a", "--include", "c", "--includei", "d"},
                 "--include and --includei cannot both be specified.\n");
    expect_error({"--exclude", "a", "--include", "c"},
                 "include and exclude regexp cannot both be specified.\n");
}

// ---- -I, -F, -S: the backend; the last one given counts ---------------------

BOOST_AUTO_TEST_CASE(backend_options_parse_by_short_and_long_name) {
    const std::vector<std::pair<const char*, Backend>> cases = {
        {"-I", Backend::inotify},    {"--inotify", Backend::inotify},       {"--ino", Backend::inotify},
        {"-F", Backend::fanotify},   {"--fanotify", Backend::fanotify},     {"--fa", Backend::fanotify},
        {"-S", Backend::filesystem}, {"--filesystem", Backend::filesystem}, {"--fi", Backend::filesystem},
    };
    for (const auto& [opt, backend] : cases) {
        const Run r = run_as("/opt/bin/fswatch-stats-dev", {"w", opt});
        BOOST_TEST(r.result.exit_status == -1);
        BOOST_TEST(r.result.err.empty());
        BOOST_TEST(r.getopt_stderr.empty());
        BOOST_TEST((r.result.options.backend == backend));
        BOOST_TEST((r.result.options.args == std::vector<std::string>{"w"}));
    }
}

BOOST_AUTO_TEST_CASE(backend_the_last_of_I_F_S_wins) {
    BOOST_TEST((accepted({"w"}).backend == Backend::automatic));
    BOOST_TEST((accepted({"-I", "-F", "w"}).backend == Backend::fanotify));
    BOOST_TEST((accepted({"-F", "-I", "w"}).backend == Backend::inotify));
    BOOST_TEST((accepted({"w", "-S", "-I"}).backend == Backend::inotify));
    BOOST_TEST((accepted({"-I", "w", "-S"}).backend == Backend::filesystem));
    BOOST_TEST((accepted({"-rFzS", "w"}).backend == Backend::filesystem));
    BOOST_TEST((accepted({"-rSzF", "w"}).backend == Backend::fanotify));
}

BOOST_AUTO_TEST_CASE(backend_options_leave_the_other_checks_alone) {
    expect_error({"-I", "-e", "modify", "-a", "access", "w"}, kUnwatched);
    expect_error({"-I", "--exclude", "a", "--excludei", "b", "w"},
                 "--exclude and --excludei cannot both be specified.\n");
    expect_error({"-F", "-d", "close", "w"}, kClose);
    expect_getopt_error({"-S", "--bogus", "w"},
                        "./bin/fswatch-stats: unrecognized option '--bogus'\n");
}

// ---- --by and --max-rows (fswatch-stats only) -------------------------------

BOOST_AUTO_TEST_CASE(by_values) {
    BOOST_TEST((accepted({"--by", "command", "w"}).by == StatsBy::command));
    BOOST_TEST((accepted({"--by=user", "w"}).by == StatsBy::user));
    BOOST_TEST((accepted({"--by", "pid", "w"}).by == StatsBy::pid));
    BOOST_TEST((accepted({"w", "--by", "path"}).by == StatsBy::path));
    BOOST_TEST((accepted({"--by", "path", "--by", "user", "w"}).by == StatsBy::user));
}

BOOST_AUTO_TEST_CASE(by_invalid_values) {
    for (const char* bad : {"directory", "Command", "", "pids", "cmd", " user"})
        expect_error({"--by", bad, "w"}, "fswatch-stats: invalid argument '" + std::string(bad) +
                                             "' for --by (command, user, pid, path)\n");
    // Checked while scanning, named after argv[0]'s last component.
    const Run r = run_as("/usr/bin/fsws", {"--by", "x", "-t", "y"});
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.result.err == "fsws: invalid argument 'x' for --by (command, user, pid, path)\n");
}

BOOST_AUTO_TEST_CASE(max_rows_values) {
    BOOST_TEST(accepted({"--max-rows", "5", "w"}).max_rows == 5u);
    BOOST_TEST(accepted({"--max-rows=1", "w"}).max_rows == 1u);
    BOOST_TEST(accepted({"--max", "007", "w"}).max_rows == 7u);
    BOOST_TEST(accepted({"--m", "3", "--max-rows", "2", "w"}).max_rows == 2u);
    BOOST_TEST(accepted({"--max-rows", "18446744073709551615", "w"}).max_rows ==
               18446744073709551615u);
}

BOOST_AUTO_TEST_CASE(max_rows_invalid_values) {
    for (const char* bad : {"0", "00", "-3", "+3", " 3", "3 ", "3x", "", "x", "1.5", "0x10",
                            "18446744073709551616", "99999999999999999999999"})
        expect_error({"--max-rows", bad, "w"},
                     "fswatch-stats: invalid number for --max-rows: '" + std::string(bad) + "'\n");
    expect_error({"--max-rows", "0", "-e", "foo"},
                 "fswatch-stats: invalid number for --max-rows: '0'\n");
}

// ---- help text layout (an interface for bash-completion) ------------------

using fswait::test::events_like_bash_completion;
using fswait::test::lines_of;
using fswait::test::parse_help_like_bash_completion;

BOOST_AUTO_TEST_CASE(help_starts_with_name_version_and_usage) {
    const std::vector<std::string> lines = lines_of(stats_help_text("fss"));
    BOOST_REQUIRE(lines.size() > 3);
    BOOST_TEST(lines[0] == std::string("fss ") + FSWAIT_VERSION);
    BOOST_TEST(lines[2] == "Usage: fss [ options ] path [ path ... ]");
    BOOST_TEST(lines[3] == "Options:");
    BOOST_TEST(lines[4] == "\t-h|--help\tPrint this help and exit.");
}

BOOST_AUTO_TEST_CASE(help_options_complete_to_working_options) {
    const std::set<std::string> offered =
        parse_help_like_bash_completion(stats_help_text("fswatch-stats"));
    const std::set<std::string> expected = {
        "--help", "--event", "--timeout", "--ascending", "--descending", "--zero", "--by",
        "--max-rows", "--recursive", "--no-dereference", "--verbose", "--fromfile", "--exclude",
        "--excludei", "--include", "--includei", "--bounded-queue", "--on-overflow",
        "--inotify", "--fanotify", "--filesystem"};
    BOOST_TEST(offered == expected);
    // ... and each of them is accepted.
    for (const std::string& opt : offered) {
        const std::string arg = opt == "--max-rows" ? "2" : opt == "--by" ? "pid"
                              : opt == "--timeout" ? "1" : opt == "--on-overflow" ? "exit" : "modify";
        const Run r = run({opt.c_str(), arg.c_str(), "w"});
        BOOST_TEST((r.result.exit_status == -1 || opt == "--help"), opt);
    }
}

BOOST_AUTO_TEST_CASE(help_option_lines_are_tab_indented_with_short_and_long_forms) {
    const std::string help = stats_help_text("fswatch-stats");
    for (const char* form : {"\t-h|--help\t", "\t-e|--event <", "\t-t|--timeout <",
                             "\t-a|--ascending <", "\t-d|--descending <", "\t-z|--zero\t",
                             "\t-r|--recursive\t", "\t-P|--no-dereference", "\t-v|--verbose\t",
                             "\t--by <", "\t--max-rows <", "\t--fromfile <", "\t@<path>\t"})
        BOOST_TEST(help.find(form) != std::string::npos, form);
}

BOOST_AUTO_TEST_CASE(help_events_complete_to_every_documented_name) {
    const std::vector<std::string> expected = {
        "access", "modify", "attrib", "close_write", "close_nowrite", "close", "open", "moved_to",
        "moved_from", "move", "move_self", "create", "delete", "delete_self", "unmount"};
    BOOST_TEST(events_like_bash_completion(stats_help_text("fswatch-stats")) == expected);
}

BOOST_AUTO_TEST_CASE(help_documents_exit_status_and_the_backends) {
    const std::string help = stats_help_text("fswatch-stats");
    const std::size_t exit = help.find("\nExit status:\n");
    BOOST_REQUIRE(exit != std::string::npos);
    for (const char* line : {"\n\t0 ", "\n\t1 "})
        BOOST_TEST(help.find(line, exit) != std::string::npos, line);
    BOOST_TEST(help.find("\n\t2 ", exit) == std::string::npos);
    for (const char* form : {"\t-I|--inotify\t", "\t-F|--fanotify\t", "\t-S|--filesystem\t"})
        BOOST_TEST(help.find(form) != std::string::npos, form);
    BOOST_TEST(help.find("--version") == std::string::npos);
    BOOST_TEST(help.back() == '\n');
}

BOOST_AUTO_TEST_CASE(help_is_not_inotify_tools_text) {
    const std::string help = stats_help_text("fswatch-stats");
    for (const char* theirs : {"Gather filesystem usage statistics", "Show this help text.",
                               "file or directory contents were read", "Listen for specific event(s)",
                               "Sort ascending by a particular event", "Exited normally."})
        BOOST_TEST(help.find(theirs) == std::string::npos, theirs);
}

// ---- --bounded-queue and --on-overflow ---------------------------------------

BOOST_AUTO_TEST_CASE(queue_policy_options) {
    using fswait::compat::OverflowAction;
    BOOST_TEST(!accepted({"w"}).bounded_queue);
    BOOST_TEST(accepted({"--bounded-queue", "w"}).bounded_queue);
    BOOST_TEST((accepted({"w"}).on_overflow == OverflowAction::rescan));
    BOOST_TEST((accepted({"--on-overflow", "exit", "w"}).on_overflow == OverflowAction::exit));
    BOOST_TEST((accepted({"--on-overflow=exit", "--on-overflow=rescan", "w"}).on_overflow == OverflowAction::rescan));
    expect_error({"--on-overflow", "warn", "w"},
                 "fswatch-stats: invalid argument 'warn' for --on-overflow (rescan, exit)\n");
}
