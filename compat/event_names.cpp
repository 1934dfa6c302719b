#include "compat/event_names.hpp"

#include <array>

namespace fswait::compat {

namespace {

constexpr KindSet kCloseKinds = Kind::close_write | Kind::close_nowrite;
constexpr KindSet kMoveKinds = Kind::moved_from | Kind::moved_to;

struct InputName {
    std::string_view name;  // lower case
    EventMask mask;
};

constexpr EventMask kinds_mask(KindSet k) { return EventMask{k, false, false}; }

constexpr std::array<InputName, 20> kInputNames = {{
    {"access", kinds_mask(Kind::access)},
    {"modify", kinds_mask(Kind::modify)},
    {"attrib", kinds_mask(Kind::attrib)},
    {"close_write", kinds_mask(Kind::close_write)},
    {"close_nowrite", kinds_mask(Kind::close_nowrite)},
    {"open", kinds_mask(Kind::open)},
    {"moved_from", kinds_mask(Kind::moved_from)},
    {"moved_to", kinds_mask(Kind::moved_to)},
    {"create", kinds_mask(Kind::create)},
    {"delete", kinds_mask(Kind::delete_)},
    {"delete_self", kinds_mask(Kind::delete_self)},
    {"unmount", kinds_mask(Kind::unmount)},
    {"q_overflow", kinds_mask(Kind::overflow)},
    {"ignored", kinds_mask(Kind::ignored)},
    {"close", kinds_mask(kCloseKinds)},
    {"move_self", kinds_mask(Kind::move_self)},
    {"move", kinds_mask(kMoveKinds)},
    {"isdir", EventMask{{}, true, false}},
    {"oneshot", EventMask{{}, false, true}},
    {"all_events", kinds_mask(kAllFileKinds)},
}};

// ASCII only, like strcasecmp in the C locale: names are plain ASCII and a
// locale must not change which -e arguments are accepted.
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != lower[i]) return false;
    return true;
}

const EventMask* find_input_name(std::string_view item) {
    for (const InputName& n : kInputNames)
        if (equals_ignoring_case(item, n.name)) return &n.mask;
    return nullptr;
}

struct OutputName {
    KindSet when;  // printed if any of these kinds is present
    std::string_view name;
};

// inotifywait prints names in inotify bit order, except that CLOSE (the
// union of both close bits) sits between IGNORED and MOVE_SELF.
constexpr std::array<OutputName, 16> kOutputNames = {{
    {Kind::access, "ACCESS"},
    {Kind::modify, "MODIFY"},
    {Kind::attrib, "ATTRIB"},
    {Kind::close_write, "CLOSE_WRITE"},
    {Kind::close_nowrite, "CLOSE_NOWRITE"},
    {Kind::open, "OPEN"},
    {Kind::moved_from, "MOVED_FROM"},
    {Kind::moved_to, "MOVED_TO"},
    {Kind::create, "CREATE"},
    {Kind::delete_, "DELETE"},
    {Kind::delete_self, "DELETE_SELF"},
    {Kind::unmount, "UNMOUNT"},
    {Kind::overflow, "Q_OVERFLOW"},
    {Kind::ignored, "IGNORED"},
    {kCloseKinds, "CLOSE"},
    {Kind::move_self, "MOVE_SELF"},
}};

void append_name(std::string& out, std::string_view name, char sep, bool& first) {
    if (!first) out += sep;
    out += name;
    first = false;
}

}  // namespace

bool EventMask::none() const { return kinds.empty() && !isdir && !oneshot; }

EventMask& EventMask::operator|=(const EventMask& o) {
    kinds |= o.kinds;
    isdir = isdir || o.isdir;
    oneshot = oneshot || o.oneshot;
    return *this;
}

std::optional<EventMask> parse_event_list(std::string_view arg) {
    EventMask mask;
    // Splitting "a," yields a trailing empty item, which is exactly how
    // inotifywait treats a trailing comma.
    for (;;) {
        const std::size_t comma = arg.find(',');
        const std::string_view item = arg.substr(0, comma);
        if (item.empty()) return EventMask{};
        const EventMask* named = find_input_name(item);
        if (!named) return std::nullopt;
        mask |= *named;
        if (comma == std::string_view::npos) return mask;
        arg.remove_prefix(comma + 1);
    }
}

void append_event_names(std::string& out, KindSet kinds, bool is_dir, char sep) {
    bool first = true;
    for (const OutputName& n : kOutputNames)
        if (kinds.intersects(n.when)) append_name(out, n.name, sep, first);
    if (is_dir) append_name(out, "ISDIR", sep, first);
}

}  // namespace fswait::compat
