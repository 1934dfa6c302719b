// inotifywait's command line (3.22.6), parsed with GNU getopt_long so that
// permutation, "--", "--opt=value" and unique prefixes behave identically.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compat/event_names.hpp"
#include "compat/option_values.hpp"

namespace fswait::compat {

struct WaitOptions {
    EventMask events;   // OR of every -e (none() -> caller uses all events)
    bool monitor = false;
    int quiet = 0;      // -q count
    long timeout = 0;   // seconds, 0 = none; negative is accepted (the caller
                        // rejects it after the watches are set up, as 4.x does)
    int recursive = 0;
    bool csv = false, daemon = false, syslog = false, no_dereference = false,
         no_newline = false;
    bool json = false;     // --json: JSON Lines (fswait's own)
    bool journal = false;  // --journal: events to journald instead of standard output
    bool bounded_queue = false;  // --bounded-queue: the kernel's queue limit, not an unlimited queue
    OverflowAction on_overflow = OverflowAction::rescan;  // --on-overflow
    // format is the last --format exactly as given, without the '\n'
    // inotifywait appends (see effective_format()).
    std::optional<std::string> format, timefmt, fromfile, outfile;
    std::optional<std::string> exclude, excludei, include, includei;
    Backend backend = Backend::automatic;
    std::vector<std::string> args;  // positional arguments in order, raw
};

struct ParseResult {
    int exit_status = -1;  // -1: go on and run; otherwise exit with this status
                           // after printing out and err
    std::string out;       // text for stdout (--help, --version)
    std::string err;       // text for stderr, complete lines (getopt's own
                           // diagnostics are printed by getopt itself)
    WaitOptions options;
};

// GNU getopt_long with opterr on (its messages name argv[0] as invoked).
// Resets getopt's state itself, so it can be called repeatedly. Permutes
// argv the way getopt does.
ParseResult parse_wait_options(int argc, char* argv[]);

// The line format the renderer should use: --format plus the newline
// inotifywait appends unless --no-newline. nullopt when --format is absent.
std::optional<std::string> effective_format(const WaitOptions& options);

}  // namespace fswait::compat
