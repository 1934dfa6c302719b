// The JSON Lines encoder checked in-process, without jq: record layout,
// escaping, the base64 fallback for invalid UTF-8, RFC 3339 times and the
// UTF-8 validator. The round trip through the real jq is in json_jq_test.cpp.
#define BOOST_TEST_MODULE json_line
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <random>
#include <string>

#include "compat/json_line.hpp"

using fswait::Kind;
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
