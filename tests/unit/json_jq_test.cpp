// append_json_line checked against the real jq: every byte string of about
// a thousand generated records, and every Unicode scalar value, must come
// back as its exact bytes. A program of its own because it needs jq on PATH
// (it skips without) and a scratch directory; the in-process checks of the
// encoder are in json_line_test.cpp.
#define BOOST_TEST_MODULE json_jq
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
        std::cout << "json_jq_test: jq is not on PATH; skipping the jq round trip\n";
        return;
    }
    char tmpl[] = "/tmp/json_jq_test.XXXXXX";
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
    std::cout << "json_jq_test: jq round trip: " << samples.size() << " records, " << checked
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
