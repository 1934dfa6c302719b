// Values of options that inotifywait and inotifywatch read the same way,
// with inotify-tools' messages.
#pragma once

#include <optional>
#include <string>

#include "compat/event_names.hpp"

namespace fswait::compat {

// -I, -F, -S (inotify-tools 4.x): the last one given counts.
enum class Backend { automatic, inotify, fanotify, filesystem };

// -t: nullopt and `value` set when valid; otherwise the lines to print, from
// the checks of inotify-tools' is_timeout_option_valid(), in its order:
// empty, then strtol's errno, then trailing garbage (so
// "1e99999999999999999999" reports garbage but "99999999999999999999x"
// reports ERANGE).
std::optional<std::string> timeout_error(const char* arg, long& value);

// -e: the mask, or the line to print for an unknown name.
struct EventsArg {
    std::optional<EventMask> mask;
    std::string error;
};
EventsArg parse_events_arg(const char* arg);

// basename of argv[0], or `fallback` without one.
std::string prog_name(int argc, char* argv[], const char* fallback);


// --on-overflow: what to do when the kernel reports lost events.
enum class OverflowAction {
    rescan,  // warn, walk the watched trees again to repair the cache, go on
    exit,    // warn and end with kExitOverflow
};
// The exit status of --on-overflow=exit (inotify-tools uses 0, 1 and 2).
inline constexpr int kExitOverflow = 3;
// The action, or nullopt (then `error` holds the line to print).
std::optional<OverflowAction> parse_on_overflow(const std::string& prog, const char* arg, std::string& error);

// inotify-tools' regex option conflicts, in its order; nullptr when none.
const char* regex_conflict(bool exclude, bool excludei, bool include, bool includei);

}  // namespace fswait::compat
