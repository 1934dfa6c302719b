// What both mains (fswait, fswatch-stats) say and read the same way.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "compat/option_values.hpp"
#include "lib/watcher.hpp"

namespace fswait::tools {

// One write(2) of a complete line (or lines) to stderr; after to_syslog(),
// one syslog(LOG_INFO) record per line instead (-s, -d).
void say(const std::string& text);
void to_syslog(const char* ident);

// The whole --fromfile list ("-" = stdin), or nullopt after inotify-tools'
// (non-fatal) "Couldn't open" message.
std::optional<std::string> read_fromfile(const std::string& name);

// Why the fanotify group could not be made; `prog` names the tool.
std::string init_error(std::string_view prog, std::error_code ec);
// The same for whichever interface Watcher::open could not open.
std::string open_error(std::string_view prog, const OpenError& e);

// -I/-F/-S as the backend library spells them.
Backend backend_of(compat::Backend b);

// The one line that says inotify watches (all, or one path) and why.
std::string fallback_note(std::string_view prog, const Fallback& f);

// A root that could not be watched: `verb` is "Couldn't" (inotifywait) or
// "Failed to" (inotifywatch).
std::string watch_error(std::string_view verb, const std::string& path, std::error_code ec);

// -P watches a symlink itself; but under -r, inotify-tools descends into a
// symlink to a directory regardless (it re-adds the root as "link/").
bool follows(bool no_dereference, bool recursive, const std::string& path);

// Loss must never be silent, but one line a second is enough to say it:
// true at most once per wall-clock second.
class OncePerSecond {
public:
    bool due() {
        const std::time_t now = std::time(nullptr);
        if (now == last_) return false;
        last_ = now;
        return true;
    }

private:
    std::time_t last_ = 0;
};

// The warning both tools give when the kernel reports lost events.
inline std::string overflow_warning(std::string_view prog) {
    return std::string(prog) + ": the kernel event queue overflowed; some events were lost\n";
}

}  // namespace fswait::tools
