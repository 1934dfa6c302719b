#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compat/help_text.hpp"
#include "compat/options.hpp"
#include "tests/unit/help_parse.hpp"
#include "tests/unit/stderr_capture.hpp"

using namespace fswait;
using namespace fswait::compat;

namespace {

using fswait::test::StderrCapture;

using Run = fswait::test::ParserRun<ParseResult>;

Run run_as(const char* argv0, std::initializer_list<const char*> args) {
    return fswait::test::run_parser(parse_wait_options, argv0, args);
}

Run run(std::initializer_list<const char*> args) { return run_as("fswait", args); }

// An option error: exit 1, exactly this on stderr (from us), nothing from getopt.
void expect_error(std::initializer_list<const char*> args, const std::string& err) {
    const Run r = run(args);
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.result.err == err);
    BOOST_TEST(r.result.out.empty());
    BOOST_TEST(r.getopt_stderr.empty());
}

// getopt reported the problem itself: exit 1, its text on fd 2, ours empty.
void expect_getopt_error(std::initializer_list<const char*> args, const std::string& text) {
    const Run r = run_as("./bin/fswait", args);
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.getopt_stderr == text);
    BOOST_TEST(r.result.err.empty());
    BOOST_TEST(r.result.out.empty());
}

const std::vector<std::string> kNoArgs;

const std::string kLongIntHint = "Please specify a long int value.\n";

}  // namespace

// ---- positional arguments and getopt conventions -------------------------

BOOST_AUTO_TEST_CASE(defaults_with_one_path) {
    const Run r = run({"w"});
    const WaitOptions& o = r.result.options;
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.err.empty());
    BOOST_TEST(r.result.out.empty());
    BOOST_TEST((o.args == std::vector<std::string>{"w"}));
    BOOST_TEST(o.events.none());
    BOOST_TEST(!o.monitor);
    BOOST_TEST(o.quiet == 0);
    BOOST_TEST(o.timeout == 0);
    BOOST_TEST(!o.csv);
    BOOST_TEST(!o.no_dereference);
    BOOST_TEST(!o.format.has_value());
    BOOST_TEST(!o.fromfile.has_value());
    BOOST_TEST(!o.outfile.has_value());
    BOOST_TEST((o.backend == Backend::automatic));
}

BOOST_AUTO_TEST_CASE(no_arguments_is_not_an_option_error) {
    // "No files specified to watch!" comes later, from the path list.
    const Run r = run({});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.args == kNoArgs);
}

BOOST_AUTO_TEST_CASE(permutation_and_double_dash) {
    const Run r = run({"w", "-q", "--", "-dash"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST((r.result.options.args == std::vector<std::string>{"w", "-dash"}));
    BOOST_TEST(r.result.options.quiet == 1);
    BOOST_TEST(!r.result.options.daemon);
}

BOOST_AUTO_TEST_CASE(options_between_paths_keep_path_order) {
    const Run r = run({"a", "-m", "b", "-e", "create", "c", "-qq"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST((r.result.options.args == std::vector<std::string>{"a", "b", "c"}));
    BOOST_TEST(r.result.options.monitor);
    BOOST_TEST(r.result.options.quiet == 2);
}

BOOST_AUTO_TEST_CASE(special_positional_arguments_are_kept_raw) {
    const Run r = run({"", "@", "@x", "w"});
    BOOST_TEST((r.result.options.args == std::vector<std::string>{"", "@", "@x", "w"}));
}

BOOST_AUTO_TEST_CASE(unique_prefixes_and_equals_values) {
    const Run r = run({"--mon", "--timeo", "1", "--form=%w", "--no-d", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.monitor);
    BOOST_TEST(r.result.options.timeout == 1);
    BOOST_TEST(r.result.options.format.value_or("") == "%w");
    BOOST_TEST(r.result.options.no_dereference);
    BOOST_TEST(r.getopt_stderr.empty());
}

BOOST_AUTO_TEST_CASE(short_option_clusters_and_attached_values) {
    const Run r = run({"-mqt5", "-ecreate", "-oout.log", "-cP", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.monitor);
    BOOST_TEST(r.result.options.quiet == 1);
    BOOST_TEST(r.result.options.timeout == 5);
    BOOST_TEST(r.result.options.events.kinds.has(Kind::create));
    BOOST_TEST(r.result.options.outfile.value_or("") == "out.log");
    BOOST_TEST(r.result.options.csv);
    BOOST_TEST(r.result.options.no_dereference);
}

BOOST_AUTO_TEST_CASE(repeated_calls_start_from_scratch) {
    // The first call stops inside the cluster "-fm"; without a full getopt
    // reset the second call would resume at the pending 'm'.
    const Run first = run({"-fm", "w"});
    BOOST_TEST(first.result.exit_status == 1);
    const Run second = run({"-q", "v"});
    BOOST_TEST(second.result.exit_status == -1);
    BOOST_TEST(!second.result.options.monitor);
    BOOST_TEST(second.result.options.quiet == 1);
    BOOST_TEST((second.result.options.args == std::vector<std::string>{"v"}));
}

// ---- getopt's own diagnostics --------------------------------------------

BOOST_AUTO_TEST_CASE(getopt_unrecognized_long_option) {
    expect_getopt_error({"--bogus", "w"}, "./bin/fswait: unrecognized option '--bogus'\n");
}

BOOST_AUTO_TEST_CASE(getopt_invalid_short_option) {
    expect_getopt_error({"-x", "w"}, "./bin/fswait: invalid option -- 'x'\n");
    // Letters used internally for long-only options in inotifywait are not short options.
    expect_getopt_error({"-n", "w"}, "./bin/fswait: invalid option -- 'n'\n");
    expect_getopt_error({"-V", "w"}, "./bin/fswait: invalid option -- 'V'\n");
}

BOOST_AUTO_TEST_CASE(getopt_missing_arguments) {
    expect_getopt_error({"w", "-e"}, "./bin/fswait: option requires an argument -- 'e'\n");
    expect_getopt_error({"w", "-t"}, "./bin/fswait: option requires an argument -- 't'\n");
    expect_getopt_error({"--format"}, "./bin/fswait: option '--format' requires an argument\n");
}

BOOST_AUTO_TEST_CASE(getopt_ambiguous_prefixes_list_candidates_in_inotifywait_order) {
    expect_getopt_error({"--time", "1", "w"},
                        "./bin/fswait: option '--time' is ambiguous; possibilities: "
                        "'--timeout' '--timefmt'\n");
    expect_getopt_error({"--in", "a", "w"},
                        "./bin/fswait: option '--in' is ambiguous; possibilities: "
                        "'--inotify' '--include' '--includei'\n");
    expect_getopt_error({"--f", "w"},
                        "./bin/fswait: option '--f' is ambiguous; possibilities: "
                        "'--filename' '--fanotify' '--filesystem' '--format' '--fromfile'\n");
    expect_getopt_error({"--no", "w"},
                        "./bin/fswait: option '--no' is ambiguous; possibilities: "
                        "'--no-dereference' '--no-newline'\n");
}

BOOST_AUTO_TEST_CASE(getopt_error_stops_the_scan_but_the_checks_still_run) {
    // inotifywait 3.22.6 does the same: the option after the error is never
    // read, the conflicts among those before it are still reported.
    const Run r = run_as("fswait", {"--exclude", "a", "--excludei", "b", "--bogus", "-f"});
    BOOST_TEST(r.result.exit_status == 1);
    BOOST_TEST(r.getopt_stderr == "fswait: unrecognized option '--bogus'\n");
    BOOST_TEST(r.result.err == "--exclude and --excludei cannot both be specified.\n");

    const Run w = run_as("fswait", {"--exclude", "a", "--exclude", "b", "-r", "-x"});
    BOOST_TEST(w.result.exit_status == 1);
    BOOST_TEST(w.getopt_stderr == "fswait: invalid option -- 'x'\n");
    BOOST_TEST(w.result.err ==
               "--exclude: only the last option will be taken into consideration.\n");
}

// ---- --help, --version, -f -----------------------------------------------

BOOST_AUTO_TEST_CASE(help_goes_to_stdout_and_exits_zero) {
    for (const char* opt : {"-h", "--help", "--he"}) {
        const Run r = run_as("/usr/local/bin/fswait", {"w", opt, "--bogus"});
        BOOST_TEST(r.result.exit_status == 0);
        BOOST_TEST(r.result.out == wait_help_text("fswait"));
        BOOST_TEST(r.result.err.empty());
        BOOST_TEST(r.getopt_stderr.empty());  // the scan ended before --bogus
    }
}

BOOST_AUTO_TEST_CASE(version_is_long_only_and_any_prefix_works) {
    const std::string expected = std::string("fswait ") + FSWAIT_VERSION + "\n";
    for (const char* opt : {"--version", "--vers", "--v"}) {
        const Run r = run_as("/usr/bin/fswait", {opt});
        BOOST_TEST(r.result.exit_status == 0);
        BOOST_TEST(r.result.out == expected);
        BOOST_TEST(r.result.err.empty());
    }
    BOOST_TEST(version_text("x") == std::string("x ") + FSWAIT_VERSION + "\n");
}

BOOST_AUTO_TEST_CASE(filename_option_is_gone) {
    const std::string text =
        "The '--filename' option no longer exists.  The option it enabled in earlier\n"
        "versions of inotifywait is now turned on by default.\n";
    expect_error({"-f", "w"}, text);
    expect_error({"--filename", "w"}, text);
    expect_error({"-fh"}, text);  // stops at -f: no help
}

// ---- -t ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(timeout_values_accepted) {
    BOOST_TEST(run({"-t", "1", "w"}).result.options.timeout == 1);
    BOOST_TEST(run({"-t", "0", "w"}).result.options.timeout == 0);
    BOOST_TEST(run({"--timeout=30", "w"}).result.options.timeout == 30);
    // strtol() rules: leading blanks and a sign are fine.
    BOOST_TEST(run({"-t", " 5", "w"}).result.options.timeout == 5);
    BOOST_TEST(run({"-t", "+7", "w"}).result.options.timeout == 7);
}

BOOST_AUTO_TEST_CASE(negative_timeout_is_left_to_the_caller) {
    const Run r = run({"-t", "-1", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.timeout == -1);
    BOOST_TEST(r.result.err.empty());
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

// ---- -e ------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(events_accumulate) {
    const Run r = run({"-e", "create", "--event", "modify", "-e", "close", "w"});
    const KindSet kinds = r.result.options.events.kinds;
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(kinds.has(Kind::create));
    BOOST_TEST(kinds.has(Kind::modify));
    BOOST_TEST(kinds.has(Kind::close_write));
    BOOST_TEST(kinds.has(Kind::close_nowrite));
    BOOST_TEST(!kinds.has(Kind::access));
}

BOOST_AUTO_TEST_CASE(empty_event_items_add_nothing) {
    const Run r = run({"-e", "", "-e", "create,", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.events.none());
}

BOOST_AUTO_TEST_CASE(invalid_event_names_quote_the_whole_argument) {
    const std::string tail = " is not a valid event!  Run with the '--help' option to see a "
                             "list of events.\n";
    expect_error({"-e", "foo", "w"}, "'foo'" + tail);
    expect_error({"-e", "create,foo", "w"}, "'create,foo'" + tail);
    expect_error({"-e", "create", "--event=FOO", "w"}, "'FOO'" + tail);
}

BOOST_AUTO_TEST_CASE(scan_stops_at_the_first_failing_option) {
    expect_error({"-t", "abc", "-e", "foo", "-f"},
                 "'abc' is not a valid timeout value.\n" + kLongIntHint);
    // ... and the later checks do not run either.
    expect_error({"--no-newline", "-e", "foo"},
                 "'foo' is not a valid event!  Run with the '--help' option to see a list "
                 "of events.\n");
}

// ---- options given twice ---------------------------------------------------

BOOST_AUTO_TEST_CASE(fromfile_and_outfile_only_once) {
    expect_error({"--fromfile", "l1", "--fromfile", "l1"}, "Multiple --fromfile options given.\n");
    expect_error({"-o", "a.log", "--outfile", "b.log", "w"},
                 "Multiple --outfile options given.\n");
}

BOOST_AUTO_TEST_CASE(last_format_and_include_win_silently) {
    const Run f = run({"--format", "FIRST %f", "--format", "SECOND %f", "w"});
    BOOST_TEST(f.result.exit_status == -1);
    BOOST_TEST(f.result.options.format.value_or("") == "SECOND %f");
    BOOST_TEST(f.result.err.empty());

    const Run i = run({"--include", "a", "--include", "b", "w"});
    BOOST_TEST(i.result.exit_status == -1);
    BOOST_TEST(i.result.options.include.value_or("") == "b");
    BOOST_TEST(i.result.err.empty());
}

BOOST_AUTO_TEST_CASE(repeated_exclude_warns_but_runs) {
    const Run r = run({"--exclude", "a", "--exclude", "b", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.exclude.value_or("") == "b");
    BOOST_TEST(r.result.err == "--exclude: only the last option will be taken into consideration.\n");

    const Run ri = run({"--excludei", "a", "--excludei", "b", "--excludei", "c", "w"});
    BOOST_TEST(ri.result.exit_status == -1);
    BOOST_TEST(ri.result.options.excludei.value_or("") == "c");
    BOOST_TEST(ri.result.err ==
               "--excludei: only the last option will be taken into consideration.\n");
}

// ---- checks after the scan, in inotifywait's order -------------------------

BOOST_AUTO_TEST_CASE(each_conflict_message) {
    expect_error({"--exclude", "a", "--excludei", "b", "w"},
                 "--exclude and --excludei cannot both be specified.\n");
    expect_error({"--include", "a", "--includei", "b", "w"},
                 "--include and --includei cannot both be specified.\n");
    const std::string both = "include and exclude regexp cannot both be specified.\n";
    expect_error({"--include", "a", "--exclude", "b", "w"}, both);
    expect_error({"--include", "a", "--excludei", "b", "w"}, both);
    expect_error({"--includei", "a", "--exclude", "b", "w"}, both);
    expect_error({"--includei", "a", "--excludei", "b", "w"}, both);
    expect_error({"-c", "--format", "%f", "w"}, "-c and --format cannot both be specified.\n");
    expect_error({"--no-newline", "w"}, "--no-newline cannot be specified without --format.\n");
    expect_error({"--timefmt", "%F", "w"}, "--timefmt cannot be specified without --format.\n");
    expect_error({"--format", "%T %f", "w"},
                 "%T is in --format string, but --timefmt was not specified.\n");
    expect_error({"-d", "w"}, "-o must be specified with -d.\n");
}

BOOST_AUTO_TEST_CASE(conflicts_are_reported_in_order_one_at_a_time) {
    // Each step removes the cause of the previous message and reveals the next.
    expect_error({"-d", "--format", "%T", "-c", "--no-newline", "--include", "a", "--includei",
                  "b", "--exclude", "c", "--excludei", "d", "--exclude", "e"},
                 "--exclude and --excludei cannot both be specified.\n");
    expect_error({"-d", "--format", "%T", "-c", "--include", "a", "--includei", "b",
                  "--exclude", "c"},
                 "--include and --includei cannot both be specified.\n");
    expect_error({"-d", "--format", "%T", "-c", "--include", "a", "--exclude", "c"},
                 "include and exclude regexp cannot both be specified.\n");
    expect_error({"-d", "--format", "%T", "-c", "--timefmt", "x"},
                 "-c and --format cannot both be specified.\n");
    expect_error({"-d", "--no-newline", "--timefmt", "x"},
                 "--no-newline cannot be specified without --format.\n");
    expect_error({"-d", "--timefmt", "x"}, "--timefmt cannot be specified without --format.\n");
    expect_error({"-d", "--format", "%T"},
                 "%T is in --format string, but --timefmt was not specified.\n");
    // The warnings come only after every check passed.
    expect_error({"-d", "--exclude", "a", "--exclude", "b"}, "-o must be specified with -d.\n");
}

BOOST_AUTO_TEST_CASE(percent_t_test_is_a_plain_substring_search) {
    expect_error({"--format", "%%T", "w"},
                 "%T is in --format string, but --timefmt was not specified.\n");
    const Run ok = run({"--format", "%T", "--timefmt", "%F", "w"});
    BOOST_TEST(ok.result.exit_status == -1);
    BOOST_TEST(ok.result.options.timefmt.value_or("") == "%F");
    BOOST_TEST(run({"--format", "%t", "w"}).result.exit_status == -1);
}

BOOST_AUTO_TEST_CASE(effective_format_appends_the_newline_unless_told_not_to) {
    BOOST_TEST(effective_format(run({"--format", "%w", "w"}).result.options).value_or("?") ==
               "%w\n");
    BOOST_TEST(effective_format(run({"--format", "%w%0", "--no-newline", "w"}).result.options)
                   .value_or("?") == "%w%0");
    BOOST_TEST(!effective_format(run({"w"}).result.options).has_value());
}

// ---- -I, -F, -S: the backend; the last one given counts ---------------------

BOOST_AUTO_TEST_CASE(backend_options_parse_by_short_and_long_name) {
    const std::vector<std::pair<std::vector<const char*>, Backend>> cases = {
        {{"-I"}, Backend::inotify},       {{"--inotify"}, Backend::inotify},
        {{"--ino"}, Backend::inotify},    {{"-F"}, Backend::fanotify},
        {{"--fanotify"}, Backend::fanotify}, {{"--fa"}, Backend::fanotify},
        {{"-S"}, Backend::filesystem},    {{"--filesystem"}, Backend::filesystem},
        {{"--files"}, Backend::filesystem},  // "--fi" is ambiguous: --filename
    };
    for (const auto& [opts, backend] : cases) {
        std::vector<std::string> storage{"/opt/bin/fswait-dev", "w"};
        storage.insert(storage.end(), opts.begin(), opts.end());
        std::vector<char*> argv;
        for (std::string& s : storage) argv.push_back(s.data());
        argv.push_back(nullptr);
        const ParseResult r = parse_wait_options(static_cast<int>(storage.size()), argv.data());
        BOOST_TEST(r.exit_status == -1);
        BOOST_TEST(r.err.empty());
        BOOST_TEST(r.out.empty());
        BOOST_TEST((r.options.backend == backend));
        BOOST_TEST((r.options.args == std::vector<std::string>{"w"}));
    }
}

BOOST_AUTO_TEST_CASE(backend_the_last_of_I_F_S_wins) {
    const auto backend_of = [](std::initializer_list<const char*> args) {
        const Run r = run(args);
        BOOST_TEST(r.result.exit_status == -1);
        BOOST_TEST(r.result.err.empty());
        BOOST_TEST(r.getopt_stderr.empty());
        return r.result.options.backend;
    };
    BOOST_TEST((backend_of({"-I", "-F", "w"}) == Backend::fanotify));
    BOOST_TEST((backend_of({"-F", "-I", "w"}) == Backend::inotify));
    BOOST_TEST((backend_of({"w", "-S", "-I"}) == Backend::inotify));
    BOOST_TEST((backend_of({"-I", "w", "-S"}) == Backend::filesystem));
    BOOST_TEST((backend_of({"-qrFs", "w"}) == Backend::fanotify));
    BOOST_TEST((backend_of({"-qrFSIs", "w"}) == Backend::inotify));
    BOOST_TEST((backend_of({"--inotify", "--filesystem", "--fanotify", "w"}) == Backend::fanotify));
}

BOOST_AUTO_TEST_CASE(backend_options_leave_the_other_checks_alone) {
    // No warning of their own, even when repeated; every other check still runs.
    expect_error({"-I", "--no-newline", "w"},
                 "--no-newline cannot be specified without --format.\n");
    expect_error({"-I", "-d", "w"}, "-o must be specified with -d.\n");
    expect_error({"-F", "-t", "x"}, "'x' is not a valid timeout value.\n" + kLongIntHint);
    const Run r = run({"--exclude", "a", "-I", "-I", "--exclude", "b", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.err == "--exclude: only the last option will be taken into consideration.\n");
    BOOST_TEST((r.result.options.backend == Backend::inotify));
}

BOOST_AUTO_TEST_CASE(recursive_is_supported) {
    const Run r = run({"-r", "--recursive", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.recursive == 2);
}

BOOST_AUTO_TEST_CASE(daemon_and_syslog_are_supported) {
    const Run r = run({"-s", "--syslog", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.syslog);
    BOOST_TEST(!r.result.options.daemon);
}

BOOST_AUTO_TEST_CASE(json_and_journal_are_fswaits_own) {
    const Run r = run({"--json", "--journal", "w"});
    BOOST_TEST(r.result.exit_status == -1);
    BOOST_TEST(r.result.options.json);
    BOOST_TEST(r.result.options.journal);
    expect_error({"--json", "--csv", "w"}, "--json cannot be used with --format or --csv.\n");
    expect_error({"--format", "%f", "--json", "w"}, "--json cannot be used with --format or --csv.\n");
}

BOOST_AUTO_TEST_CASE(daemon_implies_monitor_and_syslog) {
    const Run r = run({"-d", "-o", "x.log", "w"});
    BOOST_TEST(r.result.options.daemon);
    BOOST_TEST(r.result.options.monitor);
    BOOST_TEST(r.result.options.syslog);
}

// ---- help text layout (an interface for bash-completion) ------------------

using fswait::test::events_like_bash_completion;
using fswait::test::lines_of;
using fswait::test::parse_help_like_bash_completion;

BOOST_AUTO_TEST_CASE(help_starts_with_name_version_and_usage) {
    const std::vector<std::string> lines = lines_of(wait_help_text("fsw"));
    BOOST_REQUIRE(lines.size() > 3);
    BOOST_TEST(lines[0] == std::string("fsw ") + FSWAIT_VERSION);
    bool usage = false;
    for (const std::string& l : lines) usage = usage || l.rfind("Usage: fsw ", 0) == 0;
    BOOST_TEST(usage);
}

BOOST_AUTO_TEST_CASE(help_options_complete_to_working_options) {
    const std::set<std::string> offered = parse_help_like_bash_completion(wait_help_text("fswait"));
    const std::set<std::string> expected = {
        "--help", "--version", "--monitor", "--quiet", "--event", "--timeout", "--outfile",
        "--fromfile", "--exclude", "--excludei", "--include", "--includei",
        "--recursive", "--no-dereference", "--csv", "--json", "--journal",
        "--bounded-queue", "--on-overflow", "--format", "--no-newline", "--timefmt",
        "--daemon", "--syslog", "--inotify", "--fanotify", "--filesystem"};
    BOOST_TEST(offered == expected);
}

BOOST_AUTO_TEST_CASE(help_option_lines_are_tab_indented_with_short_and_long_forms) {
    const std::string help = wait_help_text("fswait");
    for (const char* form : {"\t-h|--help\t", "\t--version\t", "\t-m|--monitor\t", "\t-q|--quiet\t",
                             "\t-e|--event <", "\t-t|--timeout <", "\t-o|--outfile <",
                             "\t-P|--no-dereference", "\t-c|--csv\t"})
        BOOST_TEST(help.find(form) != std::string::npos, form);
}

BOOST_AUTO_TEST_CASE(help_events_complete_to_every_documented_name) {
    const std::vector<std::string> expected = {
        "access", "modify", "attrib", "close_write", "close_nowrite", "close", "open", "moved_to",
        "moved_from", "move", "move_self", "create", "delete", "delete_self", "unmount"};
    BOOST_TEST(events_like_bash_completion(wait_help_text("fswait")) == expected);
}

BOOST_AUTO_TEST_CASE(help_documents_exit_status_and_format_additions) {
    const std::string help = wait_help_text("fswait");
    const std::size_t exit = help.find("\nExit status:\n");
    BOOST_REQUIRE(exit != std::string::npos);
    for (const char* line : {"\n\t0 ", "\n\t1 ", "\n\t2 "})
        BOOST_TEST(help.find(line, exit) != std::string::npos, line);
    for (const char* spec : {"%p process id", "%c command name", "%u user", "%k rename cookie"})
        BOOST_TEST(help.find(spec) != std::string::npos, spec);
    BOOST_TEST(help.find("--version") != std::string::npos);
    BOOST_TEST(help.back() == '\n');
}

BOOST_AUTO_TEST_CASE(help_is_not_inotify_tools_text) {
    const std::string help = wait_help_text("fswait");
    for (const char* theirs : {"Wait for a particular event", "file or directory contents were read",
                               "Listen for specific event(s)", "Show this help text."})
        BOOST_TEST(help.find(theirs) == std::string::npos, theirs);
}

// ---- --bounded-queue and --on-overflow ---------------------------------------

BOOST_AUTO_TEST_CASE(queue_policy_options) {
    using fswait::compat::OverflowAction;
    BOOST_TEST(!run({"w"}).result.options.bounded_queue);
    BOOST_TEST(run({"--bounded-queue", "w"}).result.options.bounded_queue);
    BOOST_TEST((run({"w"}).result.options.on_overflow == OverflowAction::rescan));
    BOOST_TEST((run({"--on-overflow", "exit", "w"}).result.options.on_overflow == OverflowAction::exit));
    BOOST_TEST((run({"--on-o=exit", "w"}).result.options.on_overflow == OverflowAction::exit));
    expect_error({"--on-overflow", "Exit", "w"}, "fswait: invalid argument 'Exit' for --on-overflow (rescan, exit)\n");
    expect_error({"--on-overflow", "", "w"}, "fswait: invalid argument '' for --on-overflow (rescan, exit)\n");
}

// inotifywait had one long option starting with 'o': "--o" kept meaning --outfile.
BOOST_AUTO_TEST_CASE(double_dash_o_is_still_outfile) {
    const Run a = run({"-m", "--o", "log", "w"});
    BOOST_TEST(a.result.exit_status == -1);
    BOOST_TEST(a.getopt_stderr.empty());
    BOOST_TEST(*a.result.options.outfile == "log");
    BOOST_TEST(*run({"--o=log2", "w"}).result.options.outfile == "log2");
    BOOST_TEST(*run({"--ou", "log3", "w"}).result.options.outfile == "log3");
}
