// --format and --timefmt as typed by a user, and one event rendered through
// them.
//
// Input: flags byte, two bytes of event kinds, one time byte, then
// "FORMAT\0TIMEFMT\0W\0F" (argv strings cannot hold NUL, so NUL separates).
// flags: 1 newline (no --no-newline), 2 --timefmt given, 4 is_dir,
// 8 a known process.

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "compat/format.hpp"
#include "fuzz/fuzz_input.hpp"

using fswait::KindSet;
using fswait::Process;
using fswait::compat::EventText;
using fswait::compat::Format;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    // %T goes through localtime_r; a fixed zone keeps it from reading
    // /etc/localtime, and so keeps runs reproducible.
    setenv("TZ", "UTC0", 1);
    tzset();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const auto flags = in.take<std::uint8_t>();
    const auto kinds = in.take<std::uint16_t>();
    // Around the epoch, far in the past and far in the future (decades apart).
    const std::time_t now = std::time_t{in.take<std::int8_t>()} * 1'000'000'000;
    const auto parts = fuzz::split(in.rest(), '\0');
    auto part = [&](std::size_t i) { return i < parts.size() ? parts[i] : std::string(); };

    const bool newline = flags & 1;
    std::optional<std::string> timefmt;
    if (flags & 2) timefmt = part(1);
    const Format format(part(0), newline, timefmt);

    Process process;
    process.pid = 77;
    process.comm = "comm";
    process.user = "user";
    EventText ev;
    ev.w = parts.size() > 2 ? std::string_view(parts[2]) : std::string_view();
    ev.f = parts.size() > 3 ? std::string_view(parts[3]) : std::string_view();
    ev.kinds = KindSet::from_bits(kinds);
    ev.is_dir = flags & 4;
    ev.cookie = kinds * 2654435761u;
    ev.pid = static_cast<pid_t>(kinds) - 30000;
    ev.process = (flags & 8) ? &process : nullptr;

    std::string out;
    format.render(ev, now, out);
    (void)format.valid();

    // Without a '%' there is nothing to substitute: the bytes come back as typed.
    if (part(0).find('%') == std::string::npos)
        FUZZ_CHECK(out == part(0) + (newline ? "\n" : ""));

    // render() appends and keeps no state between events.
    std::string twice = out;
    format.render(ev, now, twice);
    FUZZ_CHECK(twice == out + out);

    // uses_process() lets fswait skip /proc: it must be true whenever the
    // process changes a single byte of the line.
    if (!format.uses_process()) {
        EventText other = ev;
        other.process = ev.process ? nullptr : &process;
        std::string without;
        format.render(other, now, without);
        FUZZ_CHECK(without == out);
    }
    return 0;
}
