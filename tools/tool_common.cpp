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

std::string watch_error(std::string_view verb, const std::string& path, std::error_code ec) {
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
