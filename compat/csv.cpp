#include "compat/csv.hpp"

#include "compat/event_names.hpp"

namespace fswait::compat {

namespace {

// Tabs, CR and inner spaces are left bare on purpose: inotifywait does, and
// consumers of its CSV already cope with that.
bool needs_quotes(std::string_view s) {
    if (s.empty()) return false;
    return s.find_first_of("\",\n") != std::string_view::npos || s.front() == ' ' || s.back() == ' ';
}

}  // namespace

void append_csv_field(std::string& out, std::string_view s) {
    if (!needs_quotes(s)) {
        out += s;
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

std::string csv_field(std::string_view s) {
    std::string out;
    append_csv_field(out, s);
    return out;
}

void render_csv(const EventText& ev, std::string& out) {
    append_csv_field(out, ev.w);
    out += ',';
    // Event names never contain quotes, newlines or spaces, so the field
    // needs quotes exactly when it holds more than one name.
    const std::size_t start = out.size();
    append_event_names(out, ev.kinds, ev.is_dir, ',');
    if (out.find(',', start) != std::string::npos) {
        out.insert(start, 1, '"');
        out += '"';
    }
    out += ',';
    append_csv_field(out, ev.f);
    out += '\n';
}

}  // namespace fswait::compat
