// --json: append_json_line on any record, read back by a strict reader of
// its own. The line must be one line of valid UTF-8 without raw control
// characters, keep the schema's key order, and give back every byte string
// exactly (from the JSON string, or from "K_base64" when K is null).
//
// Input: separator byte, flags byte (1 is_dir, 2 a process, 4 the process
// has a uid, 8 TYPE is "event"), kinds (2 bytes), tv_sec and tv_nsec (8 bytes each), pid,
// cookie and uid (4 bytes each), then "TYPE<sep>WATCH<sep>NAME<sep>PATH
// <sep>MESSAGE<sep>COMM<sep>EXE<sep>USER".

#include <time.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "compat/event_names.hpp"
#include "compat/json_line.hpp"
#include "fuzz/fuzz_input.hpp"

using fswait::KindSet;
using fswait::Process;
using namespace fswait::compat;

namespace {

// A value of the line: strings decoded to bytes; numbers, true/false and
// null as written; an array as its decoded strings.
struct Value {
    enum Kind { string, literal, array } kind = literal;
    std::string text;
    std::vector<std::string> items;
};

class LineReader {
public:
    explicit LineReader(std::string_view s) : s_(s) {}

    // The keys and values in order; nullopt if it is not one JSON object
    // followed by '\n' and nothing else.
    std::optional<std::vector<std::pair<std::string, Value>>> object() {
        std::vector<std::pair<std::string, Value>> fields;
        if (!eat('{')) return std::nullopt;
        do {
            Value key, value;
            if (!string(key) || !eat(':') || !value_of(value)) return std::nullopt;
            fields.emplace_back(std::move(key.text), std::move(value));
        } while (eat(','));
        if (!eat('}') || !eat('\n') || i_ != s_.size()) return std::nullopt;
        return fields;
    }

private:
    bool eat(char c) {
        if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
        return false;
    }
    unsigned char at(std::size_t k) const { return k < s_.size() ? static_cast<unsigned char>(s_[k]) : 0; }

    bool value_of(Value& v) {
        if (at(i_) == '"') return string(v);
        if (eat('[')) {
            v.kind = Value::array;
            if (eat(']')) return true;
            do {
                Value item;
                if (!string(item)) return false;
                v.items.push_back(std::move(item.text));
            } while (eat(','));
            return eat(']');
        }
        v.kind = Value::literal;
        while (i_ < s_.size() && (std::isalnum(at(i_)) || at(i_) == '-')) v.text += s_[i_++];
        return !v.text.empty();
    }

    // The schema allows only what the writer must produce: \" \\ \b \f \n
    // \r \t, \u00XX/\u2028/\u2029 in lower-case hex, no surrogates; raw
    // characters are valid UTF-8 other than C0, DEL, C1, U+2028, U+2029.
    bool string(Value& v) {
        v.kind = Value::string;
        if (!eat('"')) return false;
        for (;;) {
            const unsigned char c = at(i_);
            if (i_ >= s_.size()) return false;
            if (c == '"') return ++i_, true;
            if (c == '\\') {
                if (!escape(v.text)) return false;
                continue;
            }
            std::uint32_t cp;
            const std::size_t n = utf8_char(cp);
            if (n == 0 || cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029) return false;
            v.text.append(s_.substr(i_, n));
            i_ += n;
        }
    }

    bool escape(std::string& out) {
        const char e = static_cast<char>(at(i_ + 1));
        i_ += 2;
        switch (e) {
        case '"': out += '"'; return true;
        case '\\': out += '\\'; return true;
        case 'b': out += '\b'; return true;
        case 'f': out += '\f'; return true;
        case 'n': out += '\n'; return true;
        case 'r': out += '\r'; return true;
        case 't': out += '\t'; return true;
        case 'u': break;
        default: return false;
        }
        std::uint32_t cp = 0;
        for (int k = 0; k < 4; ++k, ++i_) {
            const unsigned char h = at(i_);
            if (h >= '0' && h <= '9') cp = cp * 16 + (h - '0');
            else if (h >= 'a' && h <= 'f') cp = cp * 16 + (h - 'a' + 10);
            else return false;
        }
        // Only what is not allowed raw may be escaped this way.
        if (!(cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)) return false;
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
        return true;
    }

    // Length of the strict UTF-8 sequence at i_ (0 if invalid), and its code point.
    std::size_t utf8_char(std::uint32_t& cp) const {
        const unsigned char c = at(i_);
        std::size_t n;
        std::uint32_t min;
        if (c < 0x80) return cp = c, 1;
        if ((c & 0xe0) == 0xc0) n = 2, cp = c & 0x1f, min = 0x80;
        else if ((c & 0xf0) == 0xe0) n = 3, cp = c & 0x0f, min = 0x800;
        else if ((c & 0xf8) == 0xf0) n = 4, cp = c & 0x07, min = 0x10000;
        else return 0;
        if (s_.size() - i_ < n) return 0;
        for (std::size_t k = 1; k < n; ++k) {
            if ((at(i_ + k) & 0xc0) != 0x80) return 0;
            cp = (cp << 6) | (at(i_ + k) & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
        return n;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

std::optional<std::string> base64_decode(std::string_view s) {
    if (s.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 4) {
        std::uint32_t v = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = s[i + k];
            int d;
            if (c >= 'A' && c <= 'Z') d = c - 'A';
            else if (c >= 'a' && c <= 'z') d = c - 'a' + 26;
            else if (c >= '0' && c <= '9') d = c - '0' + 52;
            else if (c == '+') d = 62;
            else if (c == '/') d = 63;
            else if (c == '=' && i + 4 == s.size() && k >= 2) d = 0, ++pad;
            else return std::nullopt;
            if (pad && c != '=') return std::nullopt;
            v = (v << 6) | static_cast<std::uint32_t>(d);
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(v & 0xff);
    }
    return out;
}

// The record as the reader sees it, walked key by key in schema order.
class Fields {
public:
    explicit Fields(std::vector<std::pair<std::string, Value>> f) : f_(std::move(f)) {}

    const Value& next(const char* key) {
        FUZZ_CHECK(k_ < f_.size() && f_[k_].first == key);
        return f_[k_++].second;
    }
    // A byte-string key: nullopt for null without bytes; else the exact bytes.
    std::optional<std::string> bytes(const std::string& key) {
        const Value& v = next(key.c_str());
        if (v.kind == Value::string) return v.text;
        FUZZ_CHECK(v.kind == Value::literal && v.text == "null");
        if (k_ == f_.size() || f_[k_].first != key + "_base64") return std::nullopt;
        const Value& b = f_[k_++].second;
        FUZZ_CHECK(b.kind == Value::string);
        auto raw = base64_decode(b.text);
        FUZZ_CHECK(raw.has_value() && !raw->empty());
        return raw;
    }
    std::string literal(const char* key) {
        const Value& v = next(key);
        FUZZ_CHECK(v.kind == Value::literal);
        return v.text;
    }
    bool done() const { return k_ == f_.size(); }

private:
    std::vector<std::pair<std::string, Value>> f_;
    std::size_t k_ = 0;
};

// A byte string that the schema turns into null when empty.
std::optional<std::string> nonempty(std::string_view s) {
    return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::string number_or_null(bool present, long long v) { return present ? std::to_string(v) : "null"; }

// The reference for "time": the normalized seconds through gmtime_r.
std::string expected_time(timespec t) {
    constexpr __int128 kNano = 1'000'000'000;
    __int128 nsec = t.tv_nsec;
    __int128 sec = static_cast<__int128>(t.tv_sec) + (nsec >= 0 ? nsec / kNano : -((-nsec + kNano - 1) / kNano));
    nsec -= (sec - t.tv_sec) * kNano;
    if (sec > INT64_MAX || sec < INT64_MIN) return "null";
    const time_t s = static_cast<time_t>(sec);
    tm tm{};
    if (!gmtime_r(&s, &tm)) return "";  // beyond an int year: not checked
    const long long year = tm.tm_year + 1900LL;
    char buf[96];
    std::snprintf(buf, sizeof buf, year >= 0 && year <= 9999 ? "%04lld" : "%lld", year);
    std::string out = buf;
    std::snprintf(buf, sizeof buf, "-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                  tm.tm_min, tm.tm_sec, static_cast<long long>(nsec));
    return out + buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const char sep = static_cast<char>(in.take<std::uint8_t>());
    const auto flags = in.take<std::uint8_t>();
    const auto kinds = KindSet::from_bits(in.take<std::uint16_t>());
    timespec time{};
    time.tv_sec = in.take<std::int64_t>();
    time.tv_nsec = in.take<std::int64_t>();
    const auto pid = in.take<std::int32_t>();
    const auto cookie = in.take<std::uint32_t>();
    const auto uid = in.take<std::uint32_t>();
    auto parts = fuzz::split(in.rest(), sep);
    parts.resize(std::max<std::size_t>(parts.size(), 8));
    // The events key is filled only for this type: make it common.
    if (flags & 8) parts[0] = "event";

    Process process;
    process.pid = static_cast<pid_t>(cookie);
    process.comm = parts[5];
    process.exe = parts[6];
    process.user = parts[7];
    if (flags & 4) process.uid = uid;
    JsonRecord r;
    r.type = parts[0];
    r.time = time;
    r.kinds = kinds;
    r.is_dir = flags & 1;
    r.watch = parts[1];
    r.name = parts[2];
    r.path = parts[3];
    r.message = parts[4];
    r.pid = pid;
    r.process = (flags & 2) ? &process : nullptr;
    r.cookie = cookie;

    std::string line;
    append_json_line(line, r);
    auto read = LineReader(line).object();
    FUZZ_CHECK(read.has_value());
    Fields f(std::move(*read));

    FUZZ_CHECK(f.literal("v") == std::to_string(kJsonSchemaVersion));
    FUZZ_CHECK(f.bytes("type") == std::optional<std::string>(r.type));
    const Value& t = f.next("time");
    const std::string want_time = expected_time(r.time);
    if (want_time == "null") FUZZ_CHECK(t.kind == Value::literal && t.text == "null");
    else if (!want_time.empty()) FUZZ_CHECK(t.kind == Value::string && t.text == want_time);

    const Value& events = f.next("events");
    FUZZ_CHECK(events.kind == Value::array);
    std::string names;
    if (r.type == "event") append_event_names(names, r.kinds, false, ',');
    std::vector<std::string> want_events;
    if (!names.empty()) want_events = fuzz::split(names, ',');
    FUZZ_CHECK(events.items == want_events);
    FUZZ_CHECK(f.literal("is_dir") == (r.is_dir ? "true" : "false"));

    FUZZ_CHECK(f.bytes("watch") == nonempty(r.watch));
    FUZZ_CHECK(f.bytes("name") == (r.watch.empty() ? std::nullopt : std::optional<std::string>(r.name)));
    FUZZ_CHECK(f.bytes("path") == nonempty(r.path));
    const pid_t want_pid = r.pid != 0 ? r.pid : (r.process ? r.process->pid : 0);
    FUZZ_CHECK(f.literal("pid") == number_or_null(want_pid != 0, want_pid));
    FUZZ_CHECK(f.bytes("comm") == (r.process ? std::optional<std::string>(process.comm) : std::nullopt));
    FUZZ_CHECK(f.bytes("exe") == (r.process ? nonempty(process.exe) : std::nullopt));
    FUZZ_CHECK(f.literal("uid") == number_or_null(r.process && process.uid, process.uid.value_or(0)));
    FUZZ_CHECK(f.bytes("user") == (r.process ? nonempty(process.user) : std::nullopt));
    FUZZ_CHECK(f.literal("cookie") == number_or_null(r.cookie != 0, r.cookie));
    FUZZ_CHECK(f.bytes("message") == nonempty(r.message));
    FUZZ_CHECK(f.done());
    return 0;
}
