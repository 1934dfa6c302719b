// fswait's JSON Lines output: one compact JSON object per line.
//
// Schema version 1. Every record has these keys, in this order; a value is
// null when it is unknown or does not apply:
//   "v":1, "type", "time", "events", "is_dir", "watch", "name", "path",
//   "pid", "comm", "exe", "uid", "user", "cookie", "message"
//
// Byte strings (watch, name, path, comm, exe, user, message, type) are file
// names and command names, i.e. arbitrary bytes, and are written losslessly:
//  - bytes that are valid UTF-8 (RFC 3629: no overlong forms, no encoded
//    surrogates, nothing above U+10FFFF) are written as the JSON string of
//    those characters. '"' and '\' are escaped, as are the characters that
//    could break a line or a terminal: U+0000-U+001F and U+007F-U+009F
//    (\b \f \n \r \t or \u00XX, lower-case hex) and U+2028, U+2029. The
//    JSON string therefore decodes to exactly the original bytes;
//  - any other bytes are written as "key":null followed at once by
//    "key_base64":"..." holding the standard base64 (RFC 4648 section 4, with
//    '=' padding) of the raw bytes. A "_base64" key appears only then.
// So no line holds raw control bytes, invalid UTF-8 or \uD800-style escapes,
// and jq never substitutes U+FFFD. In jq, `.K_base64 // (.K | strings |
// @base64)` is the base64 of the exact bytes of key K (empty when K is null);
// decode it with base64 -d (jq's own @base64d is lossy for invalid UTF-8).
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/event.hpp"

namespace fswait::compat {

inline constexpr int kJsonSchemaVersion = 1;

// One JSON Lines record. Strings are raw bytes (file names, commands).
struct JsonRecord {
    std::string_view type;      // "event", "overflow", "start", "stop", "reopen"
    timespec time{};            // CLOCK_REALTIME
    KindSet kinds;              // event: the kinds (usually one); else empty
    bool is_dir = false;
    std::string_view watch;     // the watch path as the user typed it, with inotifywait's %w rules (e.g. "w/" or "w/sub/")
    std::string_view name;      // %f: the entry name, "" when the event is on the watched object
    std::string_view path;      // absolute path of the object ("" = unknown)
    pid_t pid = 0;              // 0 = unknown
    const Process* process = nullptr;  // null = unknown; uses comm, uid, user, and exe (see below)
    std::uint32_t cookie = 0;   // 0 = none
    std::string_view message;   // start/stop/reopen/overflow: a short human text ("" = none)
};

// Appends one line: a JSON object and '\n'. Never throws; any bytes are accepted.
//  "time":   RFC 3339 in UTC with nine fraction digits, e.g.
//            "2026-11-23T19:05:07.123456789Z" (tv_nsec is normalized first);
//            null only when that normalization would overflow.
//  "events": inotifywait's names in inotifywait's order, without ISDIR, e.g.
//            ["CLOSE_WRITE","CLOSE"]; always [] unless type is "event".
//  "watch":  null when empty (the record is not tied to a watch).
//  "name":   null when watch is empty; otherwise a string, "" meaning the
//            event concerns the watched object itself.
//  "path", "exe", "user", "message": null when empty.
//  "pid":    pid, or process->pid when pid is 0; null when both are 0.
//  "comm":   process->comm (may be ""); null without a process.
//  "uid":    process->uid; null without a process or uid.
//  "cookie": null when 0.
// Nothing in the record can make it fail; only growing `out` can (std::bad_alloc).
void append_json_line(std::string& out, const JsonRecord& r);

// The byte-string encoding rule, for one key: appends `"key":VALUE` (no
// comma), where VALUE is the JSON string of `bytes` when they are valid
// UTF-8, else `null,"key_base64":"<base64>"`. `key` itself is written as
// given (callers pass plain ASCII names).
void append_json_bytes_field(std::string& out, std::string_view key, std::string_view bytes);

// Parts of the rule, exposed for tests and other encoders.
bool is_valid_utf8(std::string_view bytes);                    // strict RFC 3629
void append_base64(std::string& out, std::string_view bytes);  // RFC 4648 with padding, no quotes
// "YYYY-MM-DDThh:mm:ss.nnnnnnnnnZ" without quotes (proleptic Gregorian, UTC,
// years outside 0000-9999 printed as plain signed numbers); false, and
// nothing appended, when t cannot be normalized without overflow.
bool append_rfc3339_utc(std::string& out, timespec t);

}  // namespace fswait::compat
