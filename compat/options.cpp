#include "compat/options.hpp"

#include <getopt.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "compat/help_text.hpp"
#include "compat/option_values.hpp"

namespace fswait::compat {

namespace {

constexpr char kShortOptions[] = "mrhcdsPqt:fo:e:IFS";

// Long-only options get values outside the char range, so they can never be
// confused with a short option letter.
enum LongOnly : int {
    opt_format = 0x100,
    opt_no_newline,
    opt_timefmt,
    opt_fromfile,
    opt_exclude,
    opt_excludei,
    opt_include,
    opt_includei,
    opt_version,
    opt_json,
    opt_journal,
    opt_bounded_queue,
    opt_on_overflow,
};

// Same order as inotifywait's table: getopt lists the candidates of an
// ambiguous prefix in table order ("possibilities: '--timeout' '--timefmt'").
// --version goes last; no other name starts with 'v', so it makes no prefix
// that used to work ambiguous.
const option kLongOptions[] = {
    {"help", no_argument, nullptr, 'h'},
    {"event", required_argument, nullptr, 'e'},
    {"monitor", no_argument, nullptr, 'm'},
    {"quiet", no_argument, nullptr, 'q'},
    {"timeout", required_argument, nullptr, 't'},
    {"filename", no_argument, nullptr, 'f'},
    {"recursive", no_argument, nullptr, 'r'},
    {"inotify", no_argument, nullptr, 'I'},
    {"fanotify", no_argument, nullptr, 'F'},
    {"filesystem", no_argument, nullptr, 'S'},
    {"csv", no_argument, nullptr, 'c'},
    {"daemon", no_argument, nullptr, 'd'},
    {"syslog", no_argument, nullptr, 's'},
    {"no-dereference", no_argument, nullptr, 'P'},
    {"format", required_argument, nullptr, opt_format},
    {"no-newline", no_argument, nullptr, opt_no_newline},
    {"timefmt", required_argument, nullptr, opt_timefmt},
    {"fromfile", required_argument, nullptr, opt_fromfile},
    {"outfile", required_argument, nullptr, 'o'},
    {"exclude", required_argument, nullptr, opt_exclude},
    {"excludei", required_argument, nullptr, opt_excludei},
    {"include", required_argument, nullptr, opt_include},
    {"includei", required_argument, nullptr, opt_includei},
    {"version", no_argument, nullptr, opt_version},
    {"json", no_argument, nullptr, opt_json},
    {"journal", no_argument, nullptr, opt_journal},
    {"bounded-queue", no_argument, nullptr, opt_bounded_queue},
    {"on-overflow", required_argument, nullptr, opt_on_overflow},
    // "--o" was an unambiguous prefix of --outfile in inotifywait; an exact
    // name wins over prefixes, so scripts using it keep working.
    {"o", required_argument, nullptr, 'o'},
    {nullptr, 0, nullptr, 0},
};

struct Scan {
    ParseResult& result;
    std::string prog;  // basename of argv[0]
    int exclude_count = 0;
    int excludei_count = 0;
};

enum class ScanEnd { complete, getopt_error, stopped };

bool stop(Scan& s, std::string err, int status = 1) {
    s.result.err += err;
    s.result.exit_status = status;
    return false;
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

bool set_once(Scan& s, std::optional<std::string>& slot, const char* arg,
              std::string_view name) {
    if (slot) return stop(s, "Multiple --" + std::string(name) + " options given.\n");
    slot = arg;
    return true;
}

bool parse_overflow(Scan& s, const char* arg) {
    std::string error;
    auto action = parse_on_overflow(s.prog, arg, error);
    if (!action) return stop(s, error);
    s.result.options.on_overflow = *action;
    return true;
}

// Options that only set a flag. Returns false for anything else.
bool apply_flag(WaitOptions& o, int c) {
    switch (c) {
    case 'm': o.monitor = true; return true;
    case 'q': ++o.quiet; return true;
    case 'r': ++o.recursive; return true;
    case 'I': o.backend = Backend::inotify; return true;
    case 'F': o.backend = Backend::fanotify; return true;
    case 'S': o.backend = Backend::filesystem; return true;
    case 'c': o.csv = true; return true;
    case 'd': o.daemon = o.monitor = o.syslog = true; return true;  // -d implies -m -s
    case 's': o.syslog = true; return true;
    case 'P': o.no_dereference = true; return true;
    case opt_no_newline: o.no_newline = true; return true;
    default: return false;
    }
}

// Options that take a value or end the run. Returns false to stop scanning
// (the exit status and message are then set).
bool apply_other(Scan& s, int c, const char* arg) {
    WaitOptions& o = s.result.options;
    switch (c) {
    case 'h': s.result.out = wait_help_text(s.prog); return stop(s, "", 0);
    case opt_version: s.result.out = version_text(s.prog); return stop(s, "", 0);
    case 'f':
        return stop(s,
                    "The '--filename' option no longer exists.  The option it enabled in "
                    "earlier\nversions of inotifywait is now turned on by default.\n");
    case 't': return parse_timeout(s, arg);
    case 'e': return parse_events(s, arg);
    case 'o': return set_once(s, o.outfile, arg, "outfile");
    case opt_fromfile: return set_once(s, o.fromfile, arg, "fromfile");
    case opt_format: o.format = arg; return true;  // last one wins
    case opt_json: o.json = true; return true;
    case opt_journal: o.journal = true; return true;
    case opt_bounded_queue: o.bounded_queue = true; return true;
    case opt_on_overflow: return parse_overflow(s, arg);
    case opt_timefmt: o.timefmt = arg; return true;
    case opt_exclude: o.exclude = arg; ++s.exclude_count; return true;
    case opt_excludei: o.excludei = arg; ++s.excludei_count; return true;
    case opt_include: o.include = arg; return true;  // last wins, no warning
    case opt_includei: o.includei = arg; return true;
    default: return true;  // not reached: getopt returns only table values
    }
}

bool apply(Scan& s, int c, const char* arg) {
    return apply_flag(s.result.options, c) || apply_other(s, c, arg);
}

// Like inotifywait, a getopt error ends the scan but the checks on what was
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

// The one-line conflicts inotifywait checks after the scan, in its order.
const char* conflict(const WaitOptions& o) {
    if (const char* c = regex_conflict(bool(o.exclude), bool(o.excludei), bool(o.include), bool(o.includei)))
        return c;
    if (o.format && o.csv) return "-c and --format cannot both be specified.\n";
    if (!o.format && o.no_newline) return "--no-newline cannot be specified without --format.\n";
    if (!o.format && o.timefmt) return "--timefmt cannot be specified without --format.\n";
    // A plain substring test, so "%%T" (a literal "%T") is rejected too.
    if (o.format && o.format->find("%T") != std::string::npos && !o.timefmt)
        return "%T is in --format string, but --timefmt was not specified.\n";
    if (o.daemon && !o.outfile) return "-o must be specified with -d.\n";
    // fswait's own: one output style at a time.
    if (o.json && (o.format || o.csv)) return "--json cannot be used with --format or --csv.\n";
    return nullptr;
}

std::string repeat_warnings(const Scan& s) {
    constexpr std::string_view kOnlyLast = "only the last option will be taken into consideration.\n";
    std::string text;
    if (s.exclude_count > 1) text += "--exclude: " + std::string(kOnlyLast);
    if (s.excludei_count > 1) text += "--excludei: " + std::string(kOnlyLast);
    return text;
}

}  // namespace

ParseResult parse_wait_options(int argc, char* argv[]) {
    ParseResult result;
    Scan s{result, prog_name(argc, argv, "fswait")};
    const ScanEnd end = scan(argc, argv, s);
    if (end == ScanEnd::stopped) return result;
    if (const char* line = conflict(result.options)) {
        stop(s, line);
        return result;
    }
    result.err += repeat_warnings(s);
    if (end == ScanEnd::getopt_error) {
        result.exit_status = 1;  // getopt has printed its own message
        return result;
    }
    for (int i = optind; i < argc; ++i) result.options.args.emplace_back(argv[i]);
    return result;
}

std::optional<std::string> effective_format(const WaitOptions& options) {
    if (!options.format) return std::nullopt;
    return options.no_newline ? *options.format : *options.format + "\n";
}

}  // namespace fswait::compat
