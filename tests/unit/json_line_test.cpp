#define BOOST_TEST_MODULE json_line
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "compat/json_line.hpp"

using fswait::Kind;
using fswait::KindSet;
using fswait::Process;
using fswait::compat::append_base64;
using fswait::compat::append_json_bytes_field;
using fswait::compat::append_json_line;
using fswait::compat::append_rfc3339_utc;
using fswait::compat::is_valid_utf8;
using fswait::compat::JsonRecord;

namespace {

std::string line(const JsonRecord& r) {
    std::string out;
    append_json_line(out, r);
    return out;
}

std::string field(std::string_view key, std::string_view bytes) {
    std::string out;
    append_json_bytes_field(out, key, bytes);
    return out;
}

std::string base64(std::string_view s) {
    std::string out;
    append_base64(out, s);
    return out;
}

std::string rfc3339(time_t sec, long nsec) {
    std::string out;
    if (!append_rfc3339_utc(out, timespec{sec, nsec})) return "(false)";
    return out;
}

Process touch_process() {
    Process p;
    p.pid = 4242;
    p.comm = "touch";
    p.uid = 1000;
    p.user = "alice";
    p.exe = "/usr/bin/touch";
    return p;
}

// The record every line test varies: an event in watch "w/" on entry "f".
JsonRecord create_record(std::string_view name) {
    JsonRecord r;
    r.type = "event";
    r.kinds = Kind::create;
    r.watch = "w/";
    r.name = name;
    return r;
}

std::string create_line(std::string_view name) { return line(create_record(name)); }

// The line for create_record(name) given the encoded "name" member.
std::string expected_create(std::string_view name_member) {
    return "{\"v\":1,\"type\":\"event\",\"time\":\"1970-01-01T00:00:00.000000000Z\",\"events\":[\"CREATE\"],"
           "\"is_dir\":false,\"watch\":\"w/\"," +
           std::string(name_member) +
           ",\"path\":null,\"pid\":null,\"comm\":null,\"exe\":null,\"uid\":null,\"user\":null,"
           "\"cookie\":null,\"message\":null}\n";
}

}  // namespace

BOOST_AUTO_TEST_CASE(event_with_every_field) {
    const Process p = touch_process();
    JsonRecord r;
    r.type = "event";
    r.time = {1795460707, 123456789};
    r.kinds = Kind::close_write;
    r.watch = "w/";
    r.name = "notes.txt";
    r.path = "/home/alice/w/notes.txt";
    r.pid = 4242;
    r.process = &p;
    r.cookie = 0;
    BOOST_TEST(line(r) ==
               "{\"v\":1,\"type\":\"event\",\"time\":\"2026-11-23T19:05:07.123456789Z\","
               "\"events\":[\"CLOSE_WRITE\",\"CLOSE\"],\"is_dir\":false,\"watch\":\"w/\",\"name\":\"notes.txt\","
               "\"path\":\"/home/alice/w/notes.txt\",\"pid\":4242,\"comm\":\"touch\",\"exe\":\"/usr/bin/touch\","
               "\"uid\":1000,\"user\":\"alice\",\"cookie\":null,\"message\":null}\n");

    r.kinds = Kind::moved_to;
    r.is_dir = true;
    r.watch = "w/sub/";
    r.name = "d";
    r.path = "/home/alice/w/sub/d";
    r.cookie = 7;
    r.time = {1795460707, 5};
    BOOST_TEST(line(r) ==
               "{\"v\":1,\"type\":\"event\",\"time\":\"2026-11-23T19:05:07.000000005Z\","
               "\"events\":[\"MOVED_TO\"],\"is_dir\":true,\"watch\":\"w/sub/\",\"name\":\"d\","
               "\"path\":\"/home/alice/w/sub/d\",\"pid\":4242,\"comm\":\"touch\",\"exe\":\"/usr/bin/touch\","
               "\"uid\":1000,\"user\":\"alice\",\"cookie\":7,\"message\":null}\n");
}

BOOST_AUTO_TEST_CASE(event_on_watched_object_has_empty_name) {
    JsonRecord r;
    r.type = "event";
    r.kinds = Kind::close_nowrite;
    r.is_dir = true;
    r.watch = "w/";
    BOOST_TEST(line(r) ==
               "{\"v\":1,\"type\":\"event\",\"time\":\"1970-01-01T00:00:00.000000000Z\","
               "\"events\":[\"CLOSE_NOWRITE\",\"CLOSE\"],\"is_dir\":true,\"watch\":\"w/\",\"name\":\"\","
               "\"path\":null,\"pid\":null,\"comm\":null,\"exe\":null,\"uid\":null,\"user\":null,"
               "\"cookie\":null,\"message\":null}\n");
}

BOOST_AUTO_TEST_CASE(non_event_records) {
    JsonRecord r;
    r.type = "overflow";
    r.time = {1795460707, 999999999};
    r.message = "events were lost";
    BOOST_TEST(line(r) ==
               "{\"v\":1,\"type\":\"overflow\",\"time\":\"2026-11-23T19:05:07.999999999Z\",\"events\":[],"
               "\"is_dir\":false,\"watch\":null,\"name\":null,\"path\":null,\"pid\":null,\"comm\":null,"
               "\"exe\":null,\"uid\":null,\"user\":null,\"cookie\":null,\"message\":\"events were lost\"}\n");

    // Kinds given to a non-event record are not printed: events is always [].
    JsonRecord s;
    s.type = "start";
    s.kinds = Kind::overflow;
    s.time = {0, 1};
    BOOST_TEST(line(s) ==
               "{\"v\":1,\"type\":\"start\",\"time\":\"1970-01-01T00:00:00.000000001Z\",\"events\":[],"
               "\"is_dir\":false,\"watch\":null,\"name\":null,\"path\":null,\"pid\":null,\"comm\":null,"
               "\"exe\":null,\"uid\":null,\"user\":null,\"cookie\":null,\"message\":null}\n");
}

BOOST_AUTO_TEST_CASE(unknown_and_partly_known_process) {
    BOOST_TEST(create_line("f") == expected_create("\"name\":\"f\""));

    // pid known, process not.
    JsonRecord r = create_record("f");
    r.pid = 17;
    BOOST_TEST(line(r).find(",\"pid\":17,\"comm\":null,\"exe\":null,\"uid\":null,\"user\":null,") !=
               std::string::npos);

    // A process with only a command name: pid comes from it, the rest is null.
    Process p;
    p.pid = 99;
    r.pid = 0;
    r.process = &p;
    BOOST_TEST(line(r).find(",\"pid\":99,\"comm\":\"\",\"exe\":null,\"uid\":null,\"user\":null,") !=
               std::string::npos);
    p.comm = "sh";
    p.uid = 0;
    p.user = "root";
    BOOST_TEST(line(r).find(",\"pid\":99,\"comm\":\"sh\",\"exe\":null,\"uid\":0,\"user\":\"root\",") !=
               std::string::npos);
    p.uid = 4294967294u;
    p.user = "4294967294";
    BOOST_TEST(line(r).find(",\"uid\":4294967294,\"user\":\"4294967294\",") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(control_characters_are_escaped) {
    BOOST_TEST(create_line("new\nline") == expected_create("\"name\":\"new\\nline\""));
    BOOST_TEST(create_line("cr\rname") == expected_create("\"name\":\"cr\\rname\""));
    BOOST_TEST(create_line("esc\x1b[31m") == expected_create("\"name\":\"esc\\u001b[31m\""));
    BOOST_TEST(create_line("del\x7f") == expected_create("\"name\":\"del\\u007f\""));
    BOOST_TEST(create_line("q\"uote") == expected_create("\"name\":\"q\\\"uote\""));
    BOOST_TEST(create_line("back\\slash") == expected_create("\"name\":\"back\\\\slash\""));
    BOOST_TEST(create_line("tab\there") == expected_create("\"name\":\"tab\\there\""));
    BOOST_TEST(field("k", std::string("\0\x01\x08\x0b\x0c\x1f /", 8)) ==
               "\"k\":\"\\u0000\\u0001\\b\\u000b\\f\\u001f /\"");
    // C1 controls and the Unicode line/paragraph separators are valid UTF-8,
    // escaped anyway; their neighbours are not.
    BOOST_TEST(field("k", "\xc2\x85\xc2\x9b\xc2\x9f\xc2\xa0") == "\"k\":\"\\u0085\\u009b\\u009f\xc2\xa0\"");
    BOOST_TEST(field("k", "\xe2\x80\xa7\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa") ==
               "\"k\":\"\xe2\x80\xa7\\u2028\\u2029\xe2\x80\xaa\"");
    BOOST_TEST(field("k", "") == "\"k\":\"\"");
}

BOOST_AUTO_TEST_CASE(valid_multibyte_utf8_is_plain) {
    BOOST_TEST(create_line("caf\xc3\xa9") == expected_create("\"name\":\"caf\xc3\xa9\""));
    BOOST_TEST(create_line("\xe6\x97\xa5\xe6\x9c\xac") == expected_create("\"name\":\"\xe6\x97\xa5\xe6\x9c\xac\""));
    BOOST_TEST(field("k", "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd") ==
               "\"k\":\"\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf \xef\xbf\xbd\"");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_goes_to_base64) {
    BOOST_TEST(create_line("\xff") == expected_create("\"name\":null,\"name_base64\":\"/w==\""));
    BOOST_TEST(create_line("a\xff\nb") == expected_create("\"name\":null,\"name_base64\":\"Yf8KYg==\""));
    BOOST_TEST(field("name", "\xe6\x97") == "\"name\":null,\"name_base64\":\"5pc=\"");          // truncated 日
    BOOST_TEST(field("name", "\xe6\x97x") == "\"name\":null,\"name_base64\":\"5pd4\"");
    BOOST_TEST(field("name", "\xc0\xaf") == "\"name\":null,\"name_base64\":\"wK8=\"");          // overlong '/'
    BOOST_TEST(field("name", "\xe0\x80\xaf") == "\"name\":null,\"name_base64\":\"4ICv\"");      // overlong '/'
    BOOST_TEST(field("name", "\xed\xa0\x80") == "\"name\":null,\"name_base64\":\"7aCA\"");      // U+D800
    BOOST_TEST(field("name", "\xf4\x90\x80\x80") == "\"name\":null,\"name_base64\":\"9JCAgA==\"");  // U+110000
    BOOST_TEST(field("name", "\xf8\x88\x80\x80\x80") == "\"name\":null,\"name_base64\":\"+IiAgIA=\"");
    BOOST_TEST(field("name", "\x80") == "\"name\":null,\"name_base64\":\"gA==\"");             // lone continuation

    // Every byte-string key follows the same rule.
    Process p = touch_process();
    p.comm = "x\xfe";
    p.exe = "/opt/\xff/bin";
    p.user = "\xc1";
    JsonRecord r = create_record("ok");
    r.watch = "w\xff/";
    r.path = "/\xff";
    r.process = &p;
    r.message = "\xfe";
    BOOST_TEST(line(r) ==
               "{\"v\":1,\"type\":\"event\",\"time\":\"1970-01-01T00:00:00.000000000Z\",\"events\":[\"CREATE\"],"
               "\"is_dir\":false,\"watch\":null,\"watch_base64\":\"d/8v\",\"name\":\"ok\","
               "\"path\":null,\"path_base64\":\"L/8=\",\"pid\":4242,\"comm\":null,\"comm_base64\":\"eP4=\","
               "\"exe\":null,\"exe_base64\":\"L29wdC//L2Jpbg==\",\"uid\":1000,\"user\":null,\"user_base64\":\"wQ==\","
               "\"cookie\":null,\"message\":null,\"message_base64\":\"/g==\"}\n");
}

BOOST_AUTO_TEST_CASE(base64_rfc4648_vectors) {
    BOOST_TEST(base64("") == "");
    BOOST_TEST(base64("f") == "Zg==");
    BOOST_TEST(base64("fo") == "Zm8=");
    BOOST_TEST(base64("foo") == "Zm9v");
    BOOST_TEST(base64("foob") == "Zm9vYg==");
    BOOST_TEST(base64("fooba") == "Zm9vYmE=");
    BOOST_TEST(base64("foobar") == "Zm9vYmFy");
    BOOST_TEST(base64("\xfb\xff\xbf") == "+/+/");
}

BOOST_AUTO_TEST_CASE(times) {
    BOOST_TEST(rfc3339(0, 0) == "1970-01-01T00:00:00.000000000Z");
    BOOST_TEST(rfc3339(1795460707, 123456789) == "2026-11-23T19:05:07.123456789Z");
    BOOST_TEST(rfc3339(951782400, 1) == "2000-02-29T00:00:00.000000001Z");
    BOOST_TEST(rfc3339(253402300799, 999999999) == "9999-12-31T23:59:59.999999999Z");
    BOOST_TEST(rfc3339(-1, 0) == "1969-12-31T23:59:59.000000000Z");
    BOOST_TEST(rfc3339(-1, 500000000) == "1969-12-31T23:59:59.500000000Z");
    // tv_nsec outside [0, 1e9) is carried into the seconds.
    BOOST_TEST(rfc3339(0, -1) == "1969-12-31T23:59:59.999999999Z");
    BOOST_TEST(rfc3339(59, 1000000000) == "1970-01-01T00:01:00.000000000Z");
    BOOST_TEST(rfc3339(INT64_MAX, 1000000000) == "(false)");
    JsonRecord r;
    r.type = "stop";
    r.time = {INT64_MAX, 1000000000};
    BOOST_TEST(line(r).find(",\"time\":null,") != std::string::npos);
}

// Found by fuzz/json_fuzz.cpp: near INT64_MIN, splitting off the day or the
// nanoseconds overflowed (undefined behaviour) instead of giving a date.
// Expected values from Python's proleptic Gregorian calendar.
BOOST_AUTO_TEST_CASE(times_at_the_int64_limits) {
    BOOST_TEST(rfc3339(0, INT64_MIN) == "1677-09-21T00:12:43.145224192Z");
    BOOST_TEST(rfc3339(INT64_MIN, 0) == "-292277022657-01-27T08:29:52.000000000Z");
    BOOST_TEST(rfc3339(INT64_MIN, 999999999) == "-292277022657-01-27T08:29:52.999999999Z");
    BOOST_TEST(rfc3339(INT64_MIN + 1, -1) == "-292277022657-01-27T08:29:52.999999999Z");
    BOOST_TEST(rfc3339(INT64_MIN, -1) == "(false)");
    BOOST_TEST(rfc3339(INT64_MAX, 999999999) == "292277026596-12-04T15:30:07.999999999Z");
}

// Independent reference for is_valid_utf8: decode, then reject overlong
// forms, surrogates and code points above U+10FFFF.
namespace {
bool ref_valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const unsigned c = static_cast<unsigned char>(s[i]);
        const std::size_t len = c < 0x80 ? 1 : c < 0xc0 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 0;
        if (len == 0 || s.size() - i < len) return false;
        std::uint32_t cp = len == 1 ? c : c & (0x7fu >> len);
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        const std::uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
        i += len;
    }
    return true;
}
}  // namespace

BOOST_AUTO_TEST_CASE(utf8_validation_matches_reference) {
    std::size_t mismatches = 0;
    std::string s;
    for (unsigned a = 0; a < 256; ++a) {
        s.assign(1, static_cast<char>(a));
        mismatches += is_valid_utf8(s) != ref_valid_utf8(s);
        for (unsigned b = 0; b < 256; ++b) {
            s.assign({static_cast<char>(a), static_cast<char>(b)});
            mismatches += is_valid_utf8(s) != ref_valid_utf8(s);
            for (unsigned c = 0; c < 256; ++c) {
                s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)});
                mismatches += is_valid_utf8(s) != ref_valid_utf8(s);
            }
        }
    }
    for (unsigned a = 0xf0; a < 0x100; ++a)
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned c = 0x7e; c < 0xc2; ++c)
                for (unsigned d : {0x00u, 0x7fu, 0x80u, 0x9fu, 0xbfu, 0xc0u, 0xffu}) {
                    s.assign({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
                    mismatches += is_valid_utf8(s) != ref_valid_utf8(s);
                }
    BOOST_TEST(mismatches == 0u);
    BOOST_TEST(ref_valid_utf8("\xf4\x8f\xbf\xbf"));
    BOOST_TEST(!ref_valid_utf8("\xf4\x90\x80\x80"));
}

BOOST_AUTO_TEST_CASE(output_is_always_one_clean_line) {
    std::mt19937 rng(1);
    for (int n = 0; n < 20000; ++n) {
        std::string name(rng() % 12, '\0');
        for (char& c : name) c = static_cast<char>(rng());
        const std::string l = create_line(name);
        BOOST_TEST_REQUIRE(l.back() == '\n');
        for (std::size_t i = 0; i + 1 < l.size(); ++i) BOOST_TEST_REQUIRE(static_cast<unsigned char>(l[i]) >= 0x20);
        BOOST_TEST_REQUIRE(l.find('\x7f') == std::string::npos);
        BOOST_TEST_REQUIRE(is_valid_utf8(l));
        BOOST_TEST_REQUIRE(l.find("\\ud") == std::string::npos);
        BOOST_TEST_REQUIRE(l.find("\\uD") == std::string::npos);
    }
}

// ---- Round trip through the real jq -------------------------------------

namespace {

const std::vector<std::string> kByteKeys = {"type", "watch", "name", "path", "comm", "exe", "user", "message"};

struct Sample {
    std::string type, watch, name, path, message;
    Process process;
    pid_t pid = 0;
    std::uint32_t cookie = 0;
    timespec time{};
    KindSet kinds;

    JsonRecord record() const {
        JsonRecord r;
        r.type = type;
        r.time = time;
        r.kinds = kinds;
        r.watch = watch;
        r.name = name;
        r.path = path;
        r.pid = pid;
        r.process = &process;
        r.cookie = cookie;
        r.message = message;
        return r;
    }

    // What decoding key k must give back; nullopt = JSON null.
    std::optional<std::string> expected(const std::string& k) const {
        auto or_null = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional(v); };
        if (k == "type") return type;
        if (k == "watch") return or_null(watch);
        if (k == "name") return watch.empty() ? std::nullopt : std::optional(name);
        if (k == "path") return or_null(path);
        if (k == "comm") return process.comm;
        if (k == "exe") return or_null(process.exe);
        if (k == "user") return or_null(process.user);
        return or_null(message);
    }
};

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

std::string random_bytes(std::mt19937& rng, std::size_t max_len) {
    std::string s(rng() % (max_len + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
}

// Valid UTF-8 biased towards the characters the encoder treats specially.
std::string random_utf8(std::mt19937& rng, std::size_t max_chars) {
    static const std::uint32_t kSpecial[] = {0x0,    0x1b,   0x7f,   0x80,   0x85,    0x9b,    0x9f,   0xa0,
                                             '"',    '\\',   '\n',   0x2028, 0x2029,  0xfeff,  0xfffd, 0xffff,
                                             0xd7ff, 0xe000, 0x10000, 0x10ffff, 0x1f600, 0x65e5, 0xe9,  '/'};
    std::string s;
    const std::size_t n = rng() % (max_chars + 1);
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t cp;
        switch (rng() % 5) {
            case 0: cp = kSpecial[rng() % std::size(kSpecial)]; break;
            case 1: cp = rng() % 0xa0; break;
            case 2: cp = rng() % 0x800; break;
            case 3: cp = rng() % 0x10000; break;
            default: cp = rng() % 0x110000; break;
        }
        if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd;
        append_utf8(s, cp);
    }
    return s;
}

// 1,000 names: every byte value alone, every byte value after 'x' and
// before its complement, every byte after a three-byte lead, then random
// bytes, random valid UTF-8, and valid UTF-8 with one stray byte.
std::vector<std::string> make_names(std::mt19937& rng) {
    std::vector<std::string> names;
    for (unsigned i = 0; i < 256; ++i) names.emplace_back(1, static_cast<char>(i));
    for (unsigned i = 0; i < 256; ++i) names.push_back({'x', static_cast<char>(i), static_cast<char>(255 - i)});
    for (unsigned i = 0; i < 256; ++i)
        names.push_back({static_cast<char>(0xe0 + i % 16), static_cast<char>(i), static_cast<char>(0x80 + i * 7 % 64)});
    names.emplace_back();
    while (names.size() < 1000) {
        switch (names.size() % 3) {
            case 0: names.push_back(random_bytes(rng, 24)); break;
            case 1: names.push_back(random_utf8(rng, 12)); break;
            default: {
                std::string s = random_utf8(rng, 8);
                s.insert(rng() % (s.size() + 1), 1, static_cast<char>(rng()));
                names.push_back(std::move(s));
            }
        }
    }
    return names;
}

std::vector<Sample> make_samples() {
    std::mt19937 rng(20261123);
    const std::vector<std::string> names = make_names(rng);
    const std::size_t n = names.size();
    std::vector<Sample> samples;
    for (std::size_t i = 0; i < n; ++i) {
        Sample s;
        s.type = "event";
        s.kinds = KindSet::from_bits(1u << (i % 14));
        s.time = {static_cast<time_t>(rng() % 4000000000u), static_cast<long>(rng() % 1000000000u)};
        s.watch = names[(i * 31 + 5) % n] + "/";
        s.name = names[i];
        s.path = i % 10 == 0 ? "" : "/" + names[(i * 17 + 3) % n];
        s.pid = static_cast<pid_t>(i % 7 == 0 ? 0 : i);
        s.process.pid = static_cast<pid_t>(i + 1);
        s.process.comm = names[(i * 13 + 1) % n].substr(0, 15);
        if (i % 5 != 0) s.process.uid = static_cast<uid_t>(rng());
        s.process.user = names[(i * 11 + 2) % n];
        s.process.exe = i % 9 == 0 ? "" : "/usr/bin/" + names[(i * 7 + 4) % n];
        s.cookie = i % 4 == 0 ? 0 : static_cast<std::uint32_t>(rng());
        s.message = i % 3 == 0 ? names[(i * 3 + 6) % n] : "";
        if (i % 50 == 49) {  // records tied to no watch
            s.type = i % 100 == 49 ? "overflow" : "reopen";
            s.watch.clear();
        }
        samples.push_back(std::move(s));
    }
    // Every Unicode scalar value, in names of 4096 characters.
    std::string chunk;
    std::size_t in_chunk = 0;
    for (std::uint32_t cp = 0; cp < 0x110000; ++cp) {
        if (cp >= 0xd800 && cp <= 0xdfff) continue;
        append_utf8(chunk, cp);
        if (++in_chunk == 4096 || cp == 0x10ffff) {
            Sample s;
            s.type = "event";
            s.kinds = Kind::create;
            s.watch = "w/";
            s.name = std::move(chunk);
            chunk.clear();
            in_chunk = 0;
            samples.push_back(std::move(s));
        }
    }
    return samples;
}

std::optional<std::string> base64_decode(std::string_view s) {
    static const std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (s.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 4) {
        std::uint32_t v = 0;
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const std::size_t pos = alphabet.find(s[i + k]);
            if (s[i + k] == '=' && i + 4 == s.size() && k >= 2) ++pad;
            else if (pos == std::string_view::npos || pad) return std::nullopt;
            v = (v << 6) | (pos == std::string_view::npos ? 0 : static_cast<std::uint32_t>(pos));
        }
        out += static_cast<char>(v >> 16);
        if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
        if (pad < 1) out += static_cast<char>(v & 0xff);
    }
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::filesystem::path& p, std::string_view data) {
    std::ofstream out(p, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> parts;
    for (;;) {
        const std::size_t at = s.find(sep);
        parts.emplace_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

std::string events_csv(const Sample& s) {
    std::string l = line(s.record());
    const std::size_t from = l.find("\"events\":[") + 10;
    std::string names = l.substr(from, l.find(']', from) - from);
    std::erase(names, '"');
    return names;
}

std::string num_or_null(std::uint64_t v, bool known) { return known ? std::to_string(v) : "null"; }

// The documented recipe: base64 of the exact bytes, "" when the key is null.
constexpr std::string_view kFilterBase64 = R"(
["type","watch","name","path","comm","exe","user","message"] as $ks
| ([ $ks[] as $k | (.[$k + "_base64"] // (.[$k] | strings | @base64)) // "-" ]
   + [.v, .time, (.events | join(",")), .is_dir, .pid, .uid, .cookie | tostring])
| join(" ")
)";

// Raw string output (what jq -r / -j print), length-prefixed so that any
// byte, newline and NUL included, can be read back.
constexpr std::string_view kFilterRaw = R"(
def f($k): if has($k + "_base64") then "B" + .[$k + "_base64"] + ";"
           elif .[$k] == null then "N;"
           else "S" + (.[$k] | utf8bytelength | tostring) + ":" + .[$k] end;
f("type") + f("watch") + f("name") + f("path") + f("comm") + f("exe") + f("user") + f("message") + "\n"
)";

}  // namespace

BOOST_AUTO_TEST_CASE(round_trip_through_jq) {
    if (run("command -v jq >/dev/null 2>&1") != 0) {
        std::cout << "json_line_test: jq is not on PATH; skipping the jq round trip\n";
        return;
    }
    char tmpl[] = "/tmp/json_line_test.XXXXXX";
    BOOST_TEST_REQUIRE(mkdtemp(tmpl) != nullptr);
    const std::filesystem::path dir = tmpl;
    struct Cleanup {
        std::filesystem::path d;
        ~Cleanup() { std::error_code ec; std::filesystem::remove_all(d, ec); }
    } cleanup{dir};

    const std::vector<Sample> samples = make_samples();
    std::string input;
    for (const Sample& s : samples) append_json_line(input, s.record());
    write_file(dir / "in.jsonl", input);
    write_file(dir / "b64.jq", kFilterBase64);
    write_file(dir / "raw.jq", kFilterRaw);
    const std::string d = dir.string();
    BOOST_TEST_REQUIRE(run("jq -c . <" + d + "/in.jsonl >" + d + "/mid.jsonl") == 0);
    BOOST_TEST_REQUIRE(run("jq -r -f " + d + "/b64.jq <" + d + "/mid.jsonl >" + d + "/b64.out") == 0);
    BOOST_TEST_REQUIRE(run("jq -j -f " + d + "/raw.jq <" + d + "/mid.jsonl >" + d + "/raw.out") == 0);

    const std::string mid = read_file(dir / "mid.jsonl");
    BOOST_TEST(static_cast<std::size_t>(std::count(mid.begin(), mid.end(), '\n')) == samples.size());

    // 1. base64 of the exact bytes, and every other key.
    std::vector<std::string> b64_lines = split(read_file(dir / "b64.out"), '\n');
    BOOST_TEST_REQUIRE(b64_lines.back().empty());
    b64_lines.pop_back();
    BOOST_TEST_REQUIRE(b64_lines.size() == samples.size());
    std::size_t checked = 0, via_base64_key = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        const Sample& s = samples[i];
        const std::vector<std::string> f = split(b64_lines[i], ' ');
        BOOST_TEST_REQUIRE(f.size() == kByteKeys.size() + 7);
        for (std::size_t k = 0; k < kByteKeys.size(); ++k) {
            const std::optional<std::string> want = s.expected(kByteKeys[k]);
            const std::optional<std::string> got = f[k] == "-" ? std::nullopt : base64_decode(f[k]);
            BOOST_TEST((got == want), "record " << i << " key " << kByteKeys[k]);
            ++checked;
        }
        std::string time;
        append_rfc3339_utc(time, s.time);
        const std::size_t o = kByteKeys.size();
        BOOST_TEST(f[o] == "1");
        BOOST_TEST(f[o + 1] == time);
        BOOST_TEST(f[o + 2] == events_csv(s));
        BOOST_TEST(f[o + 3] == "false");
        const pid_t pid = s.pid ? s.pid : s.process.pid;
        BOOST_TEST(f[o + 4] == num_or_null(static_cast<std::uint64_t>(pid), pid != 0));
        BOOST_TEST(f[o + 5] == num_or_null(s.process.uid.value_or(0), s.process.uid.has_value()));
        BOOST_TEST(f[o + 6] == num_or_null(s.cookie, s.cookie != 0));
    }

    // 2. jq's raw output of the strings, and base64 only where the line has it.
    const std::string raw = read_file(dir / "raw.out");
    std::size_t pos = 0;
    for (std::size_t i = 0; i < samples.size(); ++i) {
        for (const std::string& key : kByteKeys) {
            const std::optional<std::string> want = samples[i].expected(key);
            std::optional<std::string> got;
            BOOST_TEST_REQUIRE(pos < raw.size());
            const char tag = raw[pos++];
            if (tag == 'S') {
                const std::size_t colon = raw.find(':', pos);
                const std::size_t len = std::stoul(raw.substr(pos, colon - pos));
                got = raw.substr(colon + 1, len);
                pos = colon + 1 + len;
                BOOST_TEST(is_valid_utf8(*got));
            } else {
                const std::size_t semi = raw.find(';', pos);
                if (tag == 'B') {
                    got = base64_decode(raw.substr(pos, semi - pos));
                    BOOST_TEST((got && !is_valid_utf8(*got)));
                    ++via_base64_key;
                } else {
                    BOOST_TEST_REQUIRE(tag == 'N');
                }
                pos = semi + 1;
            }
            BOOST_TEST((got == want), "raw: record " << i << " key " << key);
            ++checked;
        }
        BOOST_TEST_REQUIRE(raw[pos++] == '\n');
    }
    BOOST_TEST(pos == raw.size());
    BOOST_TEST(via_base64_key > 500u);
    std::cout << "json_line_test: jq round trip: " << samples.size() << " records, " << checked
              << " byte strings decoded exactly (" << via_base64_key << " through _base64 keys)\n";

    // 3. The shell recipe from the man page, one record at a time.
    for (std::size_t i = 0; i < 40; ++i) {
        const Sample& s = samples[i * 7];
        write_file(dir / "one.jsonl", line(s.record()));
        BOOST_TEST_REQUIRE(run("jq -r '.name_base64 // (.name | strings | @base64)' <" + d + "/one.jsonl | base64 -d >" +
                               d + "/one.bytes") == 0);
        BOOST_TEST(read_file(dir / "one.bytes") == s.expected("name").value_or(""), "recipe: record " << i * 7);
    }
}
