// inotifywait's event vocabulary: the names -e accepts and the names lines print.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/event.hpp"

namespace fswait::compat {

struct EventMask {
    KindSet kinds;          // may include Kind::ignored, Kind::overflow, Kind::unmount
    bool isdir = false;     // "isdir" was named
    bool oneshot = false;   // "oneshot" was named
    bool none() const;      // nothing named at all -> the caller falls back to all events
    EventMask& operator|=(const EventMask&);
};

// One -e argument, read the way inotifywait reads it: a comma list of
// case-insensitive names. Items are taken left to right and the first
// problem decides: an unknown name -> std::nullopt (the caller prints the
// error); an empty item ('', 'create,', ',create', 'a,,b', even ',foo') ->
// an empty mask for the whole argument, without error (E41).
std::optional<EventMask> parse_event_list(std::string_view arg);

// Appends the upper-case names of `kinds` (+ISDIR when is_dir) in
// inotifywait's fixed order, CLOSE added after IGNORED whenever either close
// kind is present, joined by `sep`. An empty set without is_dir appends nothing.
void append_event_names(std::string& out, KindSet kinds, bool is_dir, char sep);

}  // namespace fswait::compat
