#include "tools/tool_common.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/line_writer.hpp"
#include "lib/unique_fd.hpp"

namespace fswait::tools {

namespace {
bool syslog_on = false;
}  // namespace

void to_syslog(const char* ident) {
    ::openlog(ident, LOG_PID, LOG_DAEMON);
    syslog_on = true;
}

void say(const std::string& text) {
    if (syslog_on) {
        std::string_view rest = text;
        while (!rest.empty()) {
            auto nl = rest.find('\n');
            std::string line(rest.substr(0, nl));
            ::syslog(LOG_INFO, "%s", line.c_str());
            rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        }
        return;
    }
    static LineWriter err(STDERR_FILENO);
    (void)err.write(text);
}

std::optional<std::string> read_fromfile(const std::string& name) {
    UniqueFd own;
    int fd = STDIN_FILENO;
    if (name != "-") {
        own.reset(::open(name.c_str(), O_RDONLY | O_CLOEXEC));
        if (!own) {
            say("Couldn't open " + name + ": " + std::strerror(errno) + "\n");
            return std::nullopt;
        }
        fd = own.get();
    }
    std::string text;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return text;
}

std::string init_error(std::string_view prog, std::error_code ec) {
    if (ec.value() == EPERM)
        return std::string(prog) + ": fanotify needs CAP_SYS_ADMIN to report who caused each event; run " +
               std::string(prog) + " as root\n";
    return "Couldn't initialize fanotify: " + ec.message() + "\n";
}

std::string open_error(std::string_view prog, const OpenError& e) {
    if (!e.inotify) return init_error(prog, e.error);
    std::string text = "Couldn't initialize inotify: " + e.error.message() + "\n";
    if (e.error.value() == EMFILE) text += "Try increasing the value of /proc/sys/fs/inotify/max_user_instances\n";
    return text;
}

Backend backend_of(compat::Backend b) {
    switch (b) {
    case compat::Backend::inotify: return Backend::inotify;
    case compat::Backend::fanotify: return Backend::fanotify;
    case compat::Backend::filesystem: return Backend::filesystem;
    case compat::Backend::automatic: break;
    }
    return Backend::automatic;
}

std::string fallback_note(std::string_view prog, const Fallback& f) {
    const std::string head(prog);
    if (!f.path.empty() && f.why.value() == EXDEV)
        return head + ": watching '" + f.path + "' with inotify, without process attribution: fanotify cannot "
                      "watch its filesystem in one group with the others (" + f.why.message() + ")\n";
    if (!f.path.empty())
        return head + ": watching '" + f.path + "' with inotify, without process attribution: fanotify cannot mark "
                      "its filesystem (" + f.why.message() + ")\n";
    std::string why;
    switch (f.why.value()) {
    case EPERM: why = "fanotify needs CAP_SYS_ADMIN"; break;
    case EINVAL: why = "this kernel's fanotify cannot report file names (Linux 5.9 or later can)"; break;
    case ENOSYS: why = "this kernel has no fanotify"; break;
    default: why = "fanotify failed (" + f.why.message() + ")"; break;
    }
    return head + ": watching with inotify, without process attribution: " + why + "\n";
}

std::string watch_error(std::string_view verb, const std::string& path, std::error_code ec) {
    if (ec.value() == ENOSPC && ec.category() == inotify_category())
        return "Failed to watch " + path + "; upper limit on inotify watches reached!\n"
               "Please increase the amount of inotify watches allowed per user via "
               "`/proc/sys/fs/inotify/max_user_watches'.\n";
    if (ec.value() == ENOSPC)
        return "Failed to watch " + path + "; upper limit on fanotify marks reached!\n"
               "Please increase the amount of fanotify marks allowed per user via "
               "`/proc/sys/fs/fanotify/max_user_marks'.\n";
    return std::string(verb) + " watch " + path + ": " + ec.message() + "\n";
}

bool follows(bool no_dereference, bool recursive, const std::string& path) {
    if (!no_dereference) return true;
    struct stat st;
    return recursive && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace fswait::tools
