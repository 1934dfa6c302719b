// inotifywatch's command line (3.22.6), parsed with GNU getopt_long so that
// permutation, "--", "--opt=value" and unique prefixes behave identically,
// plus fswatch-stats' own --by and --max-rows.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compat/event_names.hpp"
#include "compat/option_values.hpp"

namespace fswait::compat {

// What one row of the table counts: inotifywatch's rows are watched
// directories; fswatch-stats can also count per process or per object.
enum class StatsBy { directory, command, user, pid, path };

struct StatsOptions {
    EventMask events;          // OR of every -e (none() -> caller uses all events)
    long timeout = 0;          // -t seconds; 0 = until a signal (negative is kept:
                               // the caller decides, as fswait does for -t)
    bool recursive = false, zero = false, verbose = false, no_dereference = false;
    std::optional<Kind> sort_kind;  // nullopt = sort by total
    bool ascending = false;         // default: descending
    std::optional<std::string> fromfile, exclude, excludei, include, includei;
    StatsBy by = StatsBy::directory;   // --by command|user|pid|path (fswatch-stats only)
    std::size_t max_rows = 0;          // --max-rows N (fswatch-stats only), 0 = unbounded
    bool bounded_queue = false;        // --bounded-queue (fswatch-stats only)
    OverflowAction on_overflow = OverflowAction::rescan;  // --on-overflow (fswatch-stats only)
    Backend backend = Backend::automatic;  // -I, -F, -S
    std::vector<std::string> args;     // positional arguments, raw, in order
};

struct StatsParseResult {
    int exit_status = -1;  // -1: go on and run; otherwise exit with this status
                           // after printing out and err
    std::string out;       // text for stdout (--help)
    std::string err;       // text for stderr, complete lines (getopt's own
                           // diagnostics are printed by getopt itself)
    StatsOptions options;
};

// GNU getopt_long with opterr on (its messages name argv[0] as invoked).
// Resets getopt's state itself, so it can be called repeatedly. Permutes
// argv the way getopt does. "No files specified to watch!" is not decided
// here: like inotifywatch, the caller says it once the path list (with
// --fromfile and "@" exclusions) is built.
StatsParseResult parse_stats_options(int argc, char* argv[]);

// fswatch-stats' --help text (stdout, exit 0). Laid out like fswait's, for
// bash-completion's _parse_help and its "Events:" reader.
std::string stats_help_text(std::string_view prog);

}  // namespace fswait::compat
