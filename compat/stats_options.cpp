#include "compat/stats_options.hpp"

#include <getopt.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <utility>

#include "compat/help_text.hpp"
#include "compat/option_values.hpp"

namespace fswait::compat {

namespace {

constexpr char kShortOptions[] = "hrPa:d:zve:t:IFS";

enum LongOnly : int {  // outside the char range: never a short option letter
    opt_fromfile = 0x100, opt_exclude, opt_excludei, opt_include, opt_includei, opt_by, opt_max_rows, opt_bounded_queue, opt_on_overflow
};

// inotifywatch's table order: getopt lists an ambiguous prefix's candidates in
// it ("--e": '--event' '--exclude' '--excludei'). --by and --max-rows go last;
// no inotifywatch option starts with 'b' or 'm', so no working prefix becomes
// ambiguous. No --version: inotifywatch has none, and it would make "--v",
// "--ve" and "--ver" (--verbose there) ambiguous.
const option kLongOptions[] = {
    {"help", no_argument, nullptr, 'h'},           {"event", required_argument, nullptr, 'e'},
    {"timeout", required_argument, nullptr, 't'},  {"verbose", no_argument, nullptr, 'v'},
    {"zero", no_argument, nullptr, 'z'},           {"ascending", required_argument, nullptr, 'a'},
    {"descending", required_argument, nullptr, 'd'}, {"recursive", no_argument, nullptr, 'r'},
    {"inotify", no_argument, nullptr, 'I'},        {"fanotify", no_argument, nullptr, 'F'},
    {"filesystem", no_argument, nullptr, 'S'},     {"no-dereference", no_argument, nullptr, 'P'},
    {"fromfile", required_argument, nullptr, opt_fromfile},
    {"exclude", required_argument, nullptr, opt_exclude},
    {"excludei", required_argument, nullptr, opt_excludei},
    {"include", required_argument, nullptr, opt_include},
    {"includei", required_argument, nullptr, opt_includei},
    {"by", required_argument, nullptr, opt_by},
    {"max-rows", required_argument, nullptr, opt_max_rows},
    {"bounded-queue", no_argument, nullptr, opt_bounded_queue},
    {"on-overflow", required_argument, nullptr, opt_on_overflow},
    {nullptr, 0, nullptr, 0},
};

// The last -a/-d. inotifywatch keeps it as one int (the event bits, negated
// for -d; 0 = -a total, -1 = -d total) and checks it against -e after the scan.
struct SortKey {
    std::string text;       // the argument as given
    bool total = false;     // "total", or a list naming no event ("", "create,")
    EventMask mask;         // what the list names, when !total
    bool ascending = false;
};

struct Scan {
    StatsParseResult& result;
    std::string prog;               // basename of argv[0]
    bool ascending_given = false;   // inotifywatch's sort_set: only -a sets it
    std::optional<SortKey> key{};
};

enum class ScanEnd { complete, getopt_error, stopped };

bool stop(Scan& s, std::string err, int status = 1) {
    s.result.err += err;
    s.result.exit_status = status;
    return false;
}

// strcasecmp in the C locale: a locale must not change what is accepted.
bool equals_ignoring_case(std::string_view a, std::string_view lower) {
    return std::equal(a.begin(), a.end(), lower.begin(), lower.end(), [](char x, char y) {
        return (x >= 'A' && x <= 'Z' ? static_cast<char>(x - 'A' + 'a') : x) == y;
    });
}

bool parse_timeout(Scan& s, const char* arg) {
    if (auto err = timeout_error(arg, s.result.options.timeout)) return stop(s, *err);
    return true;
}

bool parse_events(Scan& s, const char* arg) {
    auto e = parse_events_arg(arg);
    if (!e.mask) return stop(s, e.error);
    s.result.options.events |= *e.mask;
    return true;
}

constexpr char kMoveKey[] = "Cannot sort by `move' event; please use `moved_from' or `moved_to'.\n";
constexpr char kCloseKey[] =
    "Cannot sort by `close' event; please use `close_write' or `close_nowrite'.\n";

std::string invalid_key(std::string_view key) {
    return "'" + std::string(key) + "' is not a valid key for sorting!\n";
}

// -a and -d, checked as inotifywatch checks them while scanning: after an
// -a, any further -a or -d is an error, but -d does not count as given, so
// "-d x -d y" and "-d x -a y" are accepted and the last one wins (E130).
// Only -a rejects move and close here; -d's are handled after the scan.
bool parse_sort(Scan& s, const char* arg, bool ascending) {
    if (s.ascending_given) return stop(s, "Please specify -a or -d once only!\n");
    if (ascending && equals_ignoring_case(arg, "move")) return stop(s, kMoveKey);
    if (ascending && equals_ignoring_case(arg, "close")) return stop(s, kCloseKey);
    const std::optional<EventMask> mask =
        equals_ignoring_case(arg, "total") ? EventMask{} : parse_event_list(arg);
    if (!mask) return stop(s, invalid_key(arg));
    s.key = SortKey{arg, mask->none(), *mask, ascending};
    s.ascending_given = ascending;
    return true;
}

bool parse_by(Scan& s, const char* arg) {
    static constexpr std::pair<std::string_view, StatsBy> kNames[] = {
        {"command", StatsBy::command}, {"user", StatsBy::user},
        {"pid", StatsBy::pid},         {"path", StatsBy::path}};
    for (const auto& [name, by] : kNames)
        if (name == arg) return (s.result.options.by = by), true;
    return stop(s, s.prog + ": invalid argument '" + arg +
                       "' for --by (command, user, pid, path)\n");
}

// Digits only (no sign, no blanks), at least 1, fits in size_t.
bool parse_max_rows(Scan& s, const char* arg) {
    const std::string_view text = arg;
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value == 0)
        return stop(s, s.prog + ": invalid number for --max-rows: '" + arg + "'\n");
    s.result.options.max_rows = value;
    return true;
}

bool apply(Scan& s, int c, const char* arg) {
    StatsOptions& o = s.result.options;
    switch (c) {
    case 'I': o.backend = Backend::inotify; return true;
    case 'F': o.backend = Backend::fanotify; return true;
    case 'S': o.backend = Backend::filesystem; return true;
    case 'h': s.result.out = stats_help_text(s.prog); return stop(s, "", 0);
    case 'v': o.verbose = true; return true;
    case 'r': o.recursive = true; return true;
    case 'z': o.zero = true; return true;
    case 'P': o.no_dereference = true; return true;
    case 't': return parse_timeout(s, arg);
    case 'e': return parse_events(s, arg);
    case 'a': return parse_sort(s, arg, true);
    case 'd': return parse_sort(s, arg, false);
    case opt_fromfile:
        return o.fromfile ? stop(s, "Multiple --fromfile options given.\n") : (o.fromfile = arg, true);
    // Last one wins; unlike inotifywait, inotifywatch never warns.
    case opt_exclude: o.exclude = arg; return true;
    case opt_excludei: o.excludei = arg; return true;
    case opt_include: o.include = arg; return true;
    case opt_includei: o.includei = arg; return true;
    case opt_by: return parse_by(s, arg);
    case opt_max_rows: return parse_max_rows(s, arg);
    case opt_bounded_queue: s.result.options.bounded_queue = true; return true;
    case opt_on_overflow: {
        std::string error;
        auto action = parse_on_overflow(s.prog, arg, error);
        if (!action) return stop(s, error);
        s.result.options.on_overflow = *action;
        return true;
    }
    default: return true;  // not reached: getopt returns only table values
    }
}

// Like inotifywatch, a getopt error ends the scan but the checks on what was
// read so far still run (and may add their own line).
ScanEnd scan(int argc, char* argv[], Scan& s) {
    optind = 0;  // 0, not 1: makes glibc reinitialise its permutation state
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, kShortOptions, kLongOptions, nullptr)) != -1) {
        if (c == '?') return ScanEnd::getopt_error;
        if (!apply(s, c, optarg)) return ScanEnd::stopped;
    }
    return ScanEnd::complete;
}

// What -e selects; no -e (or only empty lists) means inotify's twelve kinds.
EventMask watched(const EventMask& events) {
    return events.none() ? EventMask{kAllFileKinds, false, false} : events;
}

// inotifywatch's test after the scan. Its key 0 (-a total, or a list naming
// nothing) and -1 (-d total, but also -d access, IN_ACCESS being 1) skip it.
bool sorts_by_unwatched_event(const SortKey& key, const EventMask& events) {
    if (key.total || (!key.ascending && key.mask.kinds == KindSet(Kind::access) &&
                      !key.mask.isdir && !key.mask.oneshot))
        return false;
    const EventMask w = watched(events);
    return !key.mask.kinds.intersects(w.kinds) && !(key.mask.isdir && w.isdir) &&
           !(key.mask.oneshot && w.oneshot);
}

// One of the thirteen kinds the table has a column (and a counter) for.
bool is_column(const EventMask& m) {
    constexpr KindSet kColumns = kAllFileKinds | KindSet(Kind::unmount);
    return !m.isdir && !m.oneshot && std::has_single_bit(m.kinds.bits()) &&
           kColumns.intersects(m.kinds);
}

// Deliberate difference. inotifywatch takes any key its event parser knows but
// has counters only for the thirteen columns: -d close, -d move, -a/-d
// all_events, lists ("modify,create"), and isdir, oneshot, ignored, q_overflow
// (when watched) make it die of SIGSEGV once two rows are compared (E167).
// fswatch-stats refuses them: move and close with -a's messages, the rest as
// an invalid key. This comes after all of inotifywatch's own checks, so what
// it refuses is refused with its message, and a key it would replace
// ("-d close -a total") does no harm.
std::string unusable_key(const std::string& text) {
    if (equals_ignoring_case(text, "move")) return kMoveKey;
    if (equals_ignoring_case(text, "close")) return kCloseKey;
    return invalid_key(text);
}

// Deliberate difference: -d sorts descending by what it names. inotifywatch
// negates the key, so "-d access" (-1) means "-d total" and a list naming
// nothing (-0) sorts ascending. Only where that quirk is all that makes a
// command line valid (-d access, access not watched) is its order kept.
void set_sort(StatsOptions& o, const std::optional<SortKey>& key) {
    if (!key) return;
    o.ascending = key->ascending;
    if (key->total) return;
    const Kind kind = static_cast<Kind>(key->mask.kinds.bits());
    if (watched(o.events).kinds.has(kind)) o.sort_kind = kind;
}

// The checks after the scan: inotifywatch's, in its order (they run even
// after a getopt error), then fswatch-stats' own refusals.
bool check(Scan& s, ScanEnd end) {
    const StatsOptions& o = s.result.options;
    if (s.key && sorts_by_unwatched_event(*s.key, o.events))
        return stop(s, "Can't sort by an event which isn't being watched for!\n");
    if (const char* c = regex_conflict(bool(o.exclude), bool(o.excludei), bool(o.include), bool(o.includei)))
        return stop(s, c);
    if (end == ScanEnd::getopt_error) return stop(s, "");  // getopt printed its message
    if (s.key && !s.key->total && !is_column(s.key->mask))
        return stop(s, unusable_key(s.key->text));
    return true;
}

struct HelpEntry {
    std::string_view head;
    std::initializer_list<std::string_view> text;  // one item per output line
};

// fswait's help layout: "\t<head>", then TABs up to column 24 (after a line
// break when the head reaches it), every further line indented with TABs only.
void append_entries(std::string& out, std::initializer_list<HelpEntry> entries) {
    for (const HelpEntry& e : entries) {
        std::size_t column = 8 + e.head.size();
        out += '\t' + std::string(e.head) + (column >= 24 ? "\n" : "");
        for (std::string_view line : e.text) {
            for (column = column >= 24 ? 0 : column; column < 24; column = (column / 8 + 1) * 8)
                out += '\t';
            out += std::string(line) + '\n';
            column = 0;
        }
    }
}

}  // namespace

StatsParseResult parse_stats_options(int argc, char* argv[]) {
    StatsParseResult result;
    Scan s{result, prog_name(argc, argv, "fswatch-stats")};
    const ScanEnd end = scan(argc, argv, s);
    if (end == ScanEnd::stopped || !check(s, end)) return result;
    StatsOptions& o = result.options;
    set_sort(o, s.key);
    for (int i = optind; i < argc; ++i) o.args.emplace_back(argv[i]);
    return result;
}

std::string stats_help_text(std::string_view prog) {
    std::string out = version_text(prog);
    out += "Count filesystem events, and who caused them, then print a table.\n";
    out += "Usage: " + std::string(prog) + " [ options ] path [ path ... ]\nOptions:\n";
    append_entries(out, {
        {"-h|--help", {"Print this help and exit."}},
        {"-e|--event <events>", {"Count only these events (comma-separated names,", "see Events below). May be given several times.", "Default: every event except unmount."}},
        {"-t|--timeout <seconds>", {"Print the table after <seconds> (0: count until", "interrupted)."}},
        {"-a|--ascending <event>", {"Sort rows by that event's column, smallest first.", "<event> may also be `total' (but not close or move)."}},
        {"-d|--descending <event>", {"As -a, largest first. Default: -d total."}},
        {"-z|--zero", {"Also print rows and columns that are all zero."}},
        {"--by <key>", {"One row per watched directory (the default), or", "per command name, user, process id or file path."}},
        {"--max-rows <n>", {"Print only the first <n> rows of the table."}},
        {"--bounded-queue", {"Use the kernel's queue limit instead of an", "unlimited queue (then events can be lost)."}},
        {"--on-overflow <action>", {"When events were lost: rescan (count, go on;", "the default) or exit (print the table, status 3)."}},
        {"-r|--recursive", {"Watch each directory with everything below it,", "including directories made later."}},
        {"-P|--no-dereference", {"Watch a symbolic link itself, not its target."}},
        {"-v|--verbose", {"Report how many watches were set up."}},
        {"--fromfile <file>", {"Read more paths, one per line, from <file>", "(a single `-' means standard input)."}},
        {"@<path>", {"Leave <path> out of a recursive watch."}},
        {"--exclude <regex>", {"Do not count events whose path matches the POSIX", "extended regular expression <regex>."}},
        {"--excludei <regex>", {"As --exclude, ignoring case."}},
        {"--include <regex>", {"Count only events whose path matches <regex>."}},
        {"--includei <regex>", {"As --include, ignoring case."}},
        {"-I|--inotify", {"Watch with inotify (no process attribution: the", "command, user and pid rows are ?). The default", "without CAP_SYS_ADMIN."}},
        {"-F|--fanotify", {"Watch with fanotify only: fail rather than fall", "back to inotify."}},
        {"-S|--filesystem", {"Watch the whole filesystem each path is on", "(fanotify; paths are absolute)."}},
    });
    out += "\n";
    out += "Exit status:\n"
           "\t0  the table (or \"No events occurred.\") was printed\n"
           "\t1  an error\n\n";
    // The same vocabulary as fswait, described by the same words. Kept last:
    // the event completion reads up to the next line not starting with a TAB.
    const std::string wait_help = wait_help_text(prog);
    out += wait_help.substr(wait_help.rfind("\nEvents:\n") + 1);
    return out;
}

}  // namespace fswait::compat
