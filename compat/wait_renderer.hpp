// Turns lib Events into inotifywait's output bytes and exit decisions:
// %w spelling, --exclude/--include, default line / --format / --csv, and
// which events count as "an event you asked for".
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include "compat/event_names.hpp"
#include "compat/format.hpp"
#include "compat/json_line.hpp"
#include "compat/regex_filter.hpp"
#include "lib/event.hpp"

namespace fswait::compat {

struct RootSpelling {
    std::string typed;      // the path as the user wrote it
    bool is_dir = false;    // lstat says directory: %w gets a trailing '/'
    std::string absolute;   // --json "path": the root resolved when it was added ("" = unknown)
};

class WaitRenderer {
public:
    enum class Style { line, format, csv, json };

    // requested: the -e mask after the "nothing named means all" fallback.
    WaitRenderer(Style style, Format format, std::optional<RegexFilter> filter, EventMask requested)
        : style_(style), format_(std::move(format)), filter_(std::move(filter)), requested_(requested) {}

    void add_root(RootSpelling r) { roots_.push_back(std::move(r)); }
    std::size_t root_count() const { return roots_.size(); }
    const RootSpelling& root(std::size_t i) const { return roots_[i]; }
    bool uses_process() const {
        return style_ == Style::json || (style_ == Style::format && format_.uses_process());
    }
    bool is_json() const { return style_ == Style::json; }

    struct Outcome {
        bool filtered = false;   // hidden by --exclude/--include: as if it never came
        bool requested = false;  // one of the kinds the user asked for (-e)
        bool line = false;       // a line was appended to out
    };
    // Appends the line for ev to out when it is requested and not filtered.
    // An overflow is never filtered, and JSON always has its record.
    Outcome render(const Event& ev, std::time_t now, std::string& out);
    // The fields of the event render() last accepted, as every structured
    // output takes them (JSON, journald); valid until the next render().
    const JsonRecord& record() const { return record_; }

private:
    Style style_;
    Format format_;
    std::optional<RegexFilter> filter_;
    EventMask requested_;
    std::vector<RootSpelling> roots_;
    JsonRecord record_;
    void fill_record(const Event& ev);
    Outcome render_overflow(const Event& ev, std::time_t now, std::string& out);
    void render_text(const Event& ev, std::time_t now, std::string& out);

    std::string w_, path_, abs_;  // reused buffers: rendering runs once per event
};

}  // namespace fswait::compat
