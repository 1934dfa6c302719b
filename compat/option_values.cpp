#include "compat/option_values.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace fswait::compat {

std::optional<std::string> timeout_error(const char* arg, long& value) {
    constexpr std::string_view kLongIntHint = "Please specify a long int value.\n";
    if (*arg == '\0') return "The provided value is not a valid timeout value.\n" + std::string(kLongIntHint);
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(arg, &end, 10);
    if (const int err = errno; err != 0)
        return "Something went wrong with the timeout value you provided.\n" + std::string(std::strerror(err)) +
               "\n";
    if (*end != '\0') return "'" + std::string(arg) + "' is not a valid timeout value.\n" + std::string(kLongIntHint);
    value = v;
    return std::nullopt;
}

EventsArg parse_events_arg(const char* arg) {
    EventsArg r;
    r.mask = parse_event_list(arg);
    if (!r.mask)
        r.error = "'" + std::string(arg) +
                  "' is not a valid event!  Run with the '--help' option to see a list of events.\n";
    return r;
}

std::optional<OverflowAction> parse_on_overflow(const std::string& prog, const char* arg, std::string& error) {
    const std::string_view v = arg;
    if (v == "rescan") return OverflowAction::rescan;
    if (v == "exit") return OverflowAction::exit;
    error = prog + ": invalid argument '" + std::string(v) + "' for --on-overflow (rescan, exit)\n";
    return std::nullopt;
}

std::string prog_name(int argc, char* argv[], const char* fallback) {
    if (argc < 1 || argv[0] == nullptr) return fallback;
    const std::string_view path = argv[0];
    return std::string(path.substr(path.rfind('/') + 1));  // npos + 1 == 0
}

const char* regex_conflict(bool exclude, bool excludei, bool include, bool includei) {
    if (exclude && excludei) return "--exclude and --excludei cannot both be specified.\n";
    if (include && includei) return "--include and --includei cannot both be specified.\n";
    if ((include || includei) && (exclude || excludei))
        return "include and exclude regexp cannot both be specified.\n";
    return nullptr;
}

}  // namespace fswait::compat
