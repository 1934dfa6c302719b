// Values of options that inotifywait and inotifywatch read the same way,
// with inotify-tools' messages.
#pragma once

#include <optional>
#include <string>

#include "compat/event_names.hpp"

namespace fswait::compat {

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

}  // namespace fswait::compat
