#include "compat/json_line.hpp"

#include <charconv>
#include <cstdint>

#include "compat/event_names.hpp"

namespace fswait::compat {

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

unsigned char byte_at(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

bool in(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

template <typename Int>
void append_int(std::string& out, Int v) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, res.ptr);
}

// Zero-padded to `width` digits; v >= 0.
void append_padded(std::string& out, std::int64_t v, int width) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    for (auto n = res.ptr - buf; n < width; ++n) out += '0';
    out.append(buf, res.ptr);
}

void append_u_escape(std::string& out, unsigned cp) {
    out += "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xf];
}

// `utf8` must be valid UTF-8 (is_valid_utf8). Because it is, a lead byte
// 0xc2 or 0xe2 is always followed by its continuation bytes, and those are
// never mistaken for lead bytes.
void append_json_string(std::string& out, std::string_view utf8) {
    out += '"';
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        const unsigned char c = byte_at(utf8, i);
        switch (c) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            append_u_escape(out, c);
        } else if (c == 0xc2 && byte_at(utf8, i + 1) < 0xa0) {
            // U+0080-U+009F, the C1 controls (NEL, CSI, ...).
            append_u_escape(out, byte_at(utf8, i + 1));
            i += 1;
        } else if (c == 0xe2 && byte_at(utf8, i + 1) == 0x80 && in(byte_at(utf8, i + 2), 0xa8, 0xa9)) {
            // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR: line breaks to
            // some readers (Python's splitlines, old JavaScript).
            append_u_escape(out, 0x2000u | (byte_at(utf8, i + 2) - 0x80u));
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

void append_null_or_bytes(std::string& out, std::string_view key, std::string_view bytes) {
    if (bytes.empty()) {
        out += '"';
        out += key;
        out += "\":null";
    } else {
        append_json_bytes_field(out, key, bytes);
    }
}

void append_key(std::string& out, std::string_view key) {
    out += ",\"";
    out += key;
    out += "\":";
}

// Days since 1970-01-01 -> proleptic Gregorian date (H. Hinnant's
// civil_from_days), exact for every int64 day count used here.
struct Civil {
    std::int64_t year;
    int month;
    int day;
};

Civil civil_from_days(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;                                // [0, 146096]
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);        // [0, 365]
    const std::int64_t mp = (5 * doy + 2) / 153;                             // [0, 11]
    const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

// Quotient rounded down and remainder in [0, b), for b > 0. Computing the
// remainder as a - q * b instead overflows for a near INT64_MIN (q * b is
// then below it).
struct FloorDiv {
    std::int64_t quot;
    std::int64_t rem;
};

FloorDiv floor_div(std::int64_t a, std::int64_t b) {
    FloorDiv d{a / b, a % b};
    if (d.rem < 0) {
        d.rem += b;
        --d.quot;
    }
    return d;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const unsigned char c = byte_at(s, i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
        if (in(c, 0xc2, 0xdf)) {
            len = 2;
        } else if (in(c, 0xe0, 0xef)) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;        // overlong
            else if (c == 0xed) hi = 0x9f;   // surrogates U+D800-U+DFFF
        } else if (in(c, 0xf0, 0xf4)) {
            len = 4;
            if (c == 0xf0) lo = 0x90;        // overlong
            else if (c == 0xf4) hi = 0x8f;   // above U+10FFFF
        } else {
            return false;  // continuation byte, 0xc0/0xc1 (overlong), 0xf5-0xff
        }
        if (n - i < len || !in(byte_at(s, i + 1), lo, hi)) return false;
        for (std::size_t k = 2; k < len; ++k)
            if (!in(byte_at(s, i + k), 0x80, 0xbf)) return false;
        i += len;
    }
    return true;
}

void append_base64(std::string& out, std::string_view s) {
    std::size_t i = 0;
    for (; i + 3 <= s.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{byte_at(s, i)} << 16) | (std::uint32_t{byte_at(s, i + 1)} << 8) |
                                byte_at(s, i + 2);
        out += kBase64[(v >> 18) & 63];
        out += kBase64[(v >> 12) & 63];
        out += kBase64[(v >> 6) & 63];
        out += kBase64[v & 63];
    }
    const std::size_t rest = s.size() - i;
    if (rest == 0) return;
    std::uint32_t v = std::uint32_t{byte_at(s, i)} << 16;
    if (rest == 2) v |= std::uint32_t{byte_at(s, i + 1)} << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
}

bool append_rfc3339_utc(std::string& out, timespec t) {
    constexpr std::int64_t kNano = 1'000'000'000;
    std::int64_t sec = static_cast<std::int64_t>(t.tv_sec);
    const FloorDiv nsec = floor_div(static_cast<std::int64_t>(t.tv_nsec), kNano);
    if (__builtin_add_overflow(sec, nsec.quot, &sec)) return false;
    const std::int64_t frac = nsec.rem;  // [0, 1e9)
    const FloorDiv days = floor_div(sec, 86400);
    const std::int64_t tod = days.rem;  // [0, 86400)
    const Civil d = civil_from_days(days.quot);
    if (d.year >= 0 && d.year <= 9999) append_padded(out, d.year, 4);
    else append_int(out, d.year);
    out += '-';
    append_padded(out, d.month, 2);
    out += '-';
    append_padded(out, d.day, 2);
    out += 'T';
    append_padded(out, tod / 3600, 2);
    out += ':';
    append_padded(out, tod / 60 % 60, 2);
    out += ':';
    append_padded(out, tod % 60, 2);
    out += '.';
    append_padded(out, frac, 9);
    out += 'Z';
    return true;
}

void append_json_bytes_field(std::string& out, std::string_view key, std::string_view bytes) {
    out += '"';
    out += key;
    out += "\":";
    if (is_valid_utf8(bytes)) {
        append_json_string(out, bytes);
        return;
    }
    out += "null,\"";
    out += key;
    out += "_base64\":\"";
    append_base64(out, bytes);
    out += '"';
}

void append_json_line(std::string& out, const JsonRecord& r) {
    out += "{\"v\":";
    append_int(out, kJsonSchemaVersion);
    out += ',';
    append_json_bytes_field(out, "type", r.type);

    append_key(out, "time");
    const std::size_t time_at = out.size();
    out += '"';
    if (append_rfc3339_utc(out, r.time)) {
        out += '"';
    } else {
        out.resize(time_at);
        out += "null";
    }

    append_key(out, "events");
    out += '[';
    if (r.type == "event") {
        // Names are plain upper-case ASCII and never contain a comma.
        std::string names;
        append_event_names(names, r.kinds, false, ',');
        std::string_view rest = names;
        while (!rest.empty()) {
            const std::size_t comma = rest.find(',');
            out += '"';
            out += rest.substr(0, comma);
            out += '"';
            if (comma == std::string_view::npos) break;
            out += ',';
            rest.remove_prefix(comma + 1);
        }
    }
    out += ']';

    append_key(out, "is_dir");
    out += r.is_dir ? "true" : "false";

    out += ',';
    append_null_or_bytes(out, "watch", r.watch);
    out += ',';
    if (r.watch.empty()) out += "\"name\":null";
    else append_json_bytes_field(out, "name", r.name);
    out += ',';
    append_null_or_bytes(out, "path", r.path);

    const Process* p = r.process;
    const pid_t pid = r.pid != 0 ? r.pid : (p ? p->pid : 0);
    append_key(out, "pid");
    if (pid != 0) append_int(out, pid);
    else out += "null";

    out += ',';
    if (p) append_json_bytes_field(out, "comm", p->comm);
    else out += "\"comm\":null";
    out += ',';
    append_null_or_bytes(out, "exe", p ? std::string_view(p->exe) : std::string_view());

    append_key(out, "uid");
    if (p && p->uid) append_int(out, *p->uid);
    else out += "null";

    out += ',';
    append_null_or_bytes(out, "user", p ? std::string_view(p->user) : std::string_view());

    append_key(out, "cookie");
    if (r.cookie != 0) append_int(out, r.cookie);
    else out += "null";

    out += ',';
    append_null_or_bytes(out, "message", r.message);
    out += "}\n";
}

}  // namespace fswait::compat
