#include "tools/journal.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#ifdef FSWAIT_HAVE_JOURNAL
// CODE_FILE/CODE_LINE of this file would say nothing about the event.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>
#endif

#include "compat/event_names.hpp"
#include "lib/unique_fd.hpp"

namespace fswait::tools {
namespace {

// Fixed per record type, so that `journalctl MESSAGE_ID=...` selects them.
std::string_view message_id(std::string_view type) {
    if (type == "event") return "41146f5b67554de39fcc9d2e2a7fdd11";
    if (type == "overflow") return "b921dc291a3f48239503069ba154a90f";
    if (type == "start") return "e27dae7f7be949e5b12a3efbdcf21a57";
    if (type == "stop") return "06b40b00fabc405285d5da157f143f77";
    return "813687232e88401385b147f58d6d5eb2";  // reopen
}

}  // namespace

bool journal_available() {
#ifdef FSWAIT_HAVE_JOURNAL
    return true;
#else
    return false;
#endif
}

int journal_send(const compat::JsonRecord& r, std::string_view message) {
#ifdef FSWAIT_HAVE_JOURNAL
    // Fields are binary safe (sd_journal_sendv encodes a value holding a
    // newline with its length), so names go as they are.
    std::vector<std::string> fields;
    auto add = [&](std::string_view key, std::string_view value) {
        std::string f(key);
        f += '=';
        f += value;
        fields.push_back(std::move(f));
    };
    add("MESSAGE", message);
    add("PRIORITY", r.type == "overflow" ? "4" : "6");
    add("SYSLOG_IDENTIFIER", "fswait");
    add("MESSAGE_ID", message_id(r.type));
    add("FSWAIT_TYPE", r.type);
    if (!r.kinds.empty()) {
        std::string names;
        compat::append_event_names(names, r.kinds, r.is_dir, ',');
        add("FSWAIT_EVENTS", names);
    }
    if (!r.watch.empty()) {
        add("FSWAIT_WATCH", r.watch);
        add("FSWAIT_NAME", r.name);
    }
    if (!r.path.empty()) add("FSWAIT_PATH", r.path);
    pid_t pid = r.pid ? r.pid : (r.process ? r.process->pid : 0);
    if (pid > 0) add("FSWAIT_PID", std::to_string(pid));
    if (r.process) {
        if (!r.process->comm.empty()) add("FSWAIT_COMM", r.process->comm);
        if (!r.process->exe.empty()) add("FSWAIT_EXE", r.process->exe);
        if (r.process->uid) add("FSWAIT_UID", std::to_string(*r.process->uid));
        if (!r.process->user.empty()) add("FSWAIT_USER", r.process->user);
    }
    if (r.cookie) add("FSWAIT_COOKIE", std::to_string(r.cookie));
    std::vector<iovec> iov;
    for (std::string& f : fields) iov.push_back({f.data(), f.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
#else
    (void)r;
    (void)message;
    return -ENOSYS;
#endif
}

void notify_ready() {
    const char* where = std::getenv("NOTIFY_SOCKET");
    if (!where || !*where) return;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::size_t n = std::strlen(where);
    if (n >= sizeof sa.sun_path || (where[0] != '/' && where[0] != '@')) return;
    std::memcpy(sa.sun_path, where, n);
    if (where[0] == '@') sa.sun_path[0] = '\0';  // abstract namespace
    UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return;
    static constexpr char kReady[] = "READY=1";
    (void)::sendto(fd.get(), kReady, sizeof kReady - 1, MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sa),
                   static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + n));
}

}  // namespace fswait::tools
