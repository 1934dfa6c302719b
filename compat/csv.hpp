// inotifywait's --csv output.
#pragma once

#include <string>
#include <string_view>

#include "compat/format.hpp"

namespace fswait::compat {

// Quotes only when inotifywait would (a '"', ',' or newline anywhere, or a
// space at either end), doubling inner quotes. Never truncates.
std::string csv_field(std::string_view s);
void append_csv_field(std::string& out, std::string_view s);

// One --csv line "watch,events,name\n". Deliberate fix: an empty watch field
// (overflow record) keeps its comma: ",Q_OVERFLOW,\n" where inotifywait
// prints "Q_OVERFLOW,\n".
void render_csv(const EventText& ev, std::string& out);

}  // namespace fswait::compat
