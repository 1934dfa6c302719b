// --journal: each record as a structured journald entry, and the systemd
// readiness notification.
#pragma once

#include <string_view>

#include "compat/json_line.hpp"

namespace fswait::tools {

// False when this fswait was built without libsystemd.
bool journal_available();

// One entry: MESSAGE (the line fswait would print, without its newline),
// PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID (one per record type) and the
// record's fields as FSWAIT_*. 0, or a negative errno.
int journal_send(const compat::JsonRecord& r, std::string_view message);

// READY=1 to $NOTIFY_SOCKET when systemd started us (Type=notify); nothing
// otherwise.
void notify_ready();

}  // namespace fswait::tools
