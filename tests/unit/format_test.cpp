#define BOOST_TEST_MODULE format
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "tests/unit/event_text_fixture.hpp"
#include "compat/format.hpp"

using fswait::Kind;
using fswait::KindSet;
using fswait::Process;
using fswait::compat::EventText;
using fswait::compat::Format;

namespace {

using namespace std::string_literals;  // "...\0..."s keeps embedded NULs

// %T tests pin the zone so that local time is predictable.
struct UtcZone {
    UtcZone() {
        setenv("TZ", "UTC0", 1);
        tzset();
    }
};

EventText event(std::string_view w, std::string_view f, KindSet kinds, bool is_dir = false) {
    return make_event_text(w, f, kinds, is_dir);
}

std::string render(const Format& fmt, const EventText& ev, std::time_t now = 0) {
    std::string out;
    fmt.render(ev, now, out);
    return out;
}

std::string render(std::string_view fmt, const EventText& ev, bool newline = true,
                   std::optional<std::string> timefmt = std::nullopt, std::time_t now = 0) {
    return render(Format(fmt, newline, std::move(timefmt)), ev, now);
}

bool valid(std::string_view fmt, bool newline, std::optional<std::string> timefmt = std::nullopt) {
    return Format(fmt, newline, std::move(timefmt)).valid();
}

const EventText kCreateF = event("w/", "f", Kind::create);

Process make_process() {
    Process p;
    p.pid = 4242;
    p.comm = "touch";
    p.uid = 1000;
    p.user = "alice";
    return p;
}

}  // namespace

BOOST_GLOBAL_FIXTURE(UtcZone);

BOOST_AUTO_TEST_CASE(e12_every_inotifywait_specifier) {
    // inotifywait's %c (cookie) is %k here; the rest is E12 byte for byte.
    BOOST_TEST(render("[%w][%f][%e][%:e][%.e][% e][%k][%%][%T]", kCreateF, true, "TIME") ==
               "[w/][f][CREATE][CREATE][CREATE][CREATE][0][%][TIME]\n");
}

BOOST_AUTO_TEST_CASE(e13_precedence_unknown_and_trailing_percent) {
    const EventText ev = event("w/", "d", Kind::create, true);
    BOOST_TEST(render("A%nB%0C|%x|%Z|%ne|%we|%fe|%%e|%-e|%", ev) ==
               "A\nB\0C|%x|%Z|\ne|w/e|de|%e|CREATE-ISDIR|%\n"s);
}

BOOST_AUTO_TEST_CASE(e14_multi_kind_event_on_watched_dir) {
    const EventText ev = event("w/", "", Kind::close_nowrite, true);
    BOOST_TEST(render("[%w][%f][%e][%:e][%_e]", ev) ==
               "[w/][][CLOSE_NOWRITE,CLOSE,ISDIR][CLOSE_NOWRITE:CLOSE:ISDIR][CLOSE_NOWRITE_CLOSE_ISDIR]\n");
}

BOOST_AUTO_TEST_CASE(e15_watched_file) {
    BOOST_TEST(render("[%w][%f][%e]", event("w/file", "", Kind::attrib)) == "[w/file][][ATTRIB]\n");
}

BOOST_AUTO_TEST_CASE(e16_timefmt_uses_given_time) {
    BOOST_TEST(render("%T %e %w%f", kCreateF, true, "%Y-%m-%dT%H:%M", 86400 + 3600 + 120) ==
               "1970-01-02T01:02 CREATE w/f\n");
    BOOST_TEST(render("%Te", kCreateF, true, "X") == "Xe\n");
}

BOOST_AUTO_TEST_CASE(time_without_timefmt_or_empty_prints_nothing) {
    BOOST_TEST(render("[%T]", kCreateF) == "[]\n");
    BOOST_TEST(render("[%T]", kCreateF, true, "") == "[]\n");
}

BOOST_AUTO_TEST_CASE(long_time_text_is_not_truncated) {
    std::string timefmt;
    for (int i = 0; i < 1000; ++i) timefmt += "%c";  // ~24 bytes out per 2 in
    const std::string one = render("%T", kCreateF, false, "%c");
    std::string expected;
    for (int i = 0; i < 1000; ++i) expected += one;
    BOOST_TEST(one == "Thu Jan  1 00:00:00 1970");
    BOOST_TEST(render("%T", kCreateF, false, timefmt) == expected);
}

BOOST_AUTO_TEST_CASE(e17_nul_separated_without_newline) {
    const Format fmt("%w%f%0", false);
    std::string out;
    fmt.render(event("w/", "a", Kind::create), 0, out);
    fmt.render(event("w/", "b", Kind::moved_to), 0, out);
    BOOST_TEST(out == "w/a\0w/b\0"s);
}

BOOST_AUTO_TEST_CASE(validity_e18_e168_e169) {
    BOOST_TEST(!valid("%w", false));  // E18
    BOOST_TEST(!valid("%f", false));
    BOOST_TEST(!valid("%w%f", false));
    BOOST_TEST(!valid("", false));    // E169
    BOOST_TEST(valid("", true));      // E168
    BOOST_TEST(valid("%w", true));
    BOOST_TEST(valid("%e", false));   // all 12 kinds print
    BOOST_TEST(valid("%0", false));
    BOOST_TEST(valid("%", false));
    BOOST_TEST(valid("%x", false));
    BOOST_TEST(valid("%k", false));   // cookie 0
    BOOST_TEST(valid("%p", false));   // unknown pid prints '?'
    BOOST_TEST(valid("%T", false, "TIME"));
    BOOST_TEST(!valid("%T", false, ""));
    BOOST_TEST(!valid("%T", false));
}

BOOST_AUTO_TEST_CASE(empty_format_is_a_bare_newline) {  // E168
    BOOST_TEST(render("", kCreateF) == "\n");
}

BOOST_AUTO_TEST_CASE(attribution_with_process) {
    const Process proc = make_process();
    EventText ev = kCreateF;
    ev.pid = 4242;
    ev.process = &proc;
    ev.cookie = 0x7ae3;
    BOOST_TEST(render("%p|%c|%u|%k", ev) == "4242|touch|alice|7ae3\n");
    BOOST_TEST(render("%pe|%ce|%ue|%ke", ev) == "4242e|touche|alicee|7ae3e\n");
}

BOOST_AUTO_TEST_CASE(attribution_unknown) {
    BOOST_TEST(render("%p|%c|%u|%k", kCreateF) == "?|?|?|0\n");
    BOOST_TEST(render("%pe|%ce|%ue|%ke", kCreateF) == "?e|?e|?e|0e\n");
}

BOOST_AUTO_TEST_CASE(pid_known_but_process_not) {
    EventText ev = kCreateF;
    ev.pid = 1;
    BOOST_TEST(render("%p %c %u", ev) == "1 ? ?\n");
}

BOOST_AUTO_TEST_CASE(process_with_empty_fields_prints_question_mark) {
    Process proc;
    proc.pid = 7;
    EventText ev = kCreateF;
    ev.pid = 7;
    ev.process = &proc;
    BOOST_TEST(render("%p %c %u", ev) == "7 ? ?\n");
}

BOOST_AUTO_TEST_CASE(cookie_is_lower_hex_unpadded) {
    EventText ev = kCreateF;
    ev.cookie = 0xDEADBEEF;
    BOOST_TEST(render("%k", ev, false) == "deadbeef");
    ev.cookie = 0x10;
    BOOST_TEST(render("%k", ev, false) == "10");
}

BOOST_AUTO_TEST_CASE(separator_rule_takes_any_other_byte) {
    const EventText ev = event("w/", "", Kind::close_write, true);
    BOOST_TEST(render("%:e", ev, false) == "CLOSE_WRITE:CLOSE:ISDIR");
    BOOST_TEST(render("% e", ev, false) == "CLOSE_WRITE CLOSE ISDIR");
    BOOST_TEST(render("%\te", ev, false) == "CLOSE_WRITE\tCLOSE\tISDIR");
    BOOST_TEST(render("%\xff" "e", ev, false) == "CLOSE_WRITE\xff" "CLOSE\xff" "ISDIR");
    BOOST_TEST(render("%ae", ev, false) == "CLOSE_WRITEaCLOSEaISDIR");
    BOOST_TEST(render("%\ne", ev, false) == "CLOSE_WRITE\nCLOSE\nISDIR");
}

BOOST_AUTO_TEST_CASE(special_letters_win_over_separator_rule) {
    BOOST_TEST(render("%ee", kCreateF, false) == "CREATEe");
    BOOST_TEST(render("%0e", kCreateF, false) == "\0e"s);
    BOOST_TEST(render("%%e", kCreateF, false) == "%e");
    BOOST_TEST(render("%ne", kCreateF, false) == "\ne");
}

BOOST_AUTO_TEST_CASE(literal_percent_sequences) {
    BOOST_TEST(render("%x%Z%", kCreateF, false) == "%x%Z%");
    BOOST_TEST(render("%", kCreateF, false) == "%");
    BOOST_TEST(render("%", kCreateF, true) == "%\n");
    BOOST_TEST(render("%%%", kCreateF, false) == "%%");
    BOOST_TEST(render("50%", kCreateF, true) == "50%\n");
    BOOST_TEST(render("%:", kCreateF, false) == "%:");
    BOOST_TEST(render("%:x", kCreateF, false) == "%:x");
}

BOOST_AUTO_TEST_CASE(no_backslash_escapes) {
    BOOST_TEST(render("a\\tb\\n%f", kCreateF, false) == "a\\tb\\nf");
}

BOOST_AUTO_TEST_CASE(names_are_raw_bytes) {
    const std::string name = "new\nline\ttab\xff\xfe";
    BOOST_TEST(render("%w%f", event("w/", name, Kind::create)) == "w/" + name + "\n");
    BOOST_TEST(render(Format::default_line(), event("w/", name, Kind::create)) == "w/ CREATE " + name + "\n");
}

BOOST_AUTO_TEST_CASE(default_line_shapes) {  // §2.1
    const Format line = Format::default_line();
    BOOST_TEST(render(line, kCreateF) == "w/ CREATE f\n");
    BOOST_TEST(render(line, event("w/", "", Kind::open, true)) == "w/ OPEN,ISDIR \n");
    BOOST_TEST(render(line, event("w/file", "", Kind::open)) == "w/file OPEN \n");
    BOOST_TEST(render(line, event("w/", "f", Kind::close_write)) == "w/ CLOSE_WRITE,CLOSE f\n");
    BOOST_TEST(render(line, event("", "", Kind::overflow)) == " Q_OVERFLOW \n");  // E109
    BOOST_TEST(line.valid());
}

BOOST_AUTO_TEST_CASE(no_truncation_of_long_lines) {
    const std::string name(10000, 'n');
    const std::string out = render("%w%f", event("w/", name, Kind::create));
    BOOST_TEST(out.size() == 2 + name.size() + 1);
}

BOOST_AUTO_TEST_CASE(render_appends_and_format_copies_stand_alone) {
    std::optional<Format> original(Format("<%f>%%", false));
    const Format copy = *original;
    original.reset();
    std::string out = "keep:";
    copy.render(kCreateF, 0, out);
    BOOST_TEST(out == "keep:<f>%");
}
