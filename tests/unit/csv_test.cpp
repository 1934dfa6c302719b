#define BOOST_TEST_MODULE csv
#include <boost/test/unit_test.hpp>

#include <string>

#include "tests/unit/event_text_fixture.hpp"
#include "compat/csv.hpp"

using fswait::Kind;
using fswait::KindSet;
using fswait::compat::csv_field;
using fswait::compat::EventText;
using fswait::compat::render_csv;

namespace {

EventText event(std::string_view w, std::string_view f, KindSet kinds, bool is_dir = false) {
    return make_event_text(w, f, kinds, is_dir);
}

std::string line(const EventText& ev) {
    std::string out;
    render_csv(ev, out);
    return out;
}

std::string create_line(std::string_view name) { return line(event("w/", name, Kind::create)); }

}  // namespace

BOOST_AUTO_TEST_CASE(field_quoting_rules) {
    BOOST_TEST(csv_field("") == "");
    BOOST_TEST(csv_field("plain") == "plain");
    BOOST_TEST(csv_field("a,b") == "\"a,b\"");
    BOOST_TEST(csv_field("q\"uote") == "\"q\"\"uote\"");
    BOOST_TEST(csv_field("\"") == "\"\"\"\"");
    BOOST_TEST(csv_field(" lead") == "\" lead\"");
    BOOST_TEST(csv_field("trail ") == "\"trail \"");
    BOOST_TEST(csv_field(" ") == "\" \"");
    BOOST_TEST(csv_field("new\nline") == "\"new\nline\"");
    BOOST_TEST(csv_field("mid space") == "mid space");
    BOOST_TEST(csv_field("tab\there") == "tab\there");
    BOOST_TEST(csv_field("\ttab") == "\ttab");
    BOOST_TEST(csv_field("cr\r") == "cr\r");
    BOOST_TEST(csv_field("bad\xff utf8") == "bad\xff utf8");
}

BOOST_AUTO_TEST_CASE(e24_awkward_names) {
    BOOST_TEST(create_line("plain") == "w/,CREATE,plain\n");
    BOOST_TEST(create_line("a,b") == "w/,CREATE,\"a,b\"\n");
    BOOST_TEST(create_line("q\"uote") == "w/,CREATE,\"q\"\"uote\"\n");
    BOOST_TEST(create_line(" lead") == "w/,CREATE,\" lead\"\n");
    BOOST_TEST(create_line("trail ") == "w/,CREATE,\"trail \"\n");
    BOOST_TEST(create_line("new\nline") == "w/,CREATE,\"new\nline\"\n");
    BOOST_TEST(create_line("mid space") == "w/,CREATE,mid space\n");
    BOOST_TEST(create_line("tab\tname") == "w/,CREATE,tab\tname\n");
    BOOST_TEST(create_line("cr\rname") == "w/,CREATE,cr\rname\n");
}

BOOST_AUTO_TEST_CASE(e25_watch_field_quoted_and_multi_names) {
    BOOST_TEST(line(event("w, x/", "f", Kind::create)) == "\"w, x/\",CREATE,f\n");
    BOOST_TEST(line(event("w, x/", "f", Kind::close_write)) == "\"w, x/\",\"CLOSE_WRITE,CLOSE\",f\n");
    BOOST_TEST(line(event("w, x/", "", Kind::open, true)) == "\"w, x/\",\"OPEN,ISDIR\",\n");
    BOOST_TEST(line(event("w, x/", "", Kind::close_nowrite, true)) ==
               "\"w, x/\",\"CLOSE_NOWRITE,CLOSE,ISDIR\",\n");
}

BOOST_AUTO_TEST_CASE(e26_watched_file_empty_name) {
    BOOST_TEST(line(event("w/file", "", Kind::attrib)) == "w/file,ATTRIB,\n");
}

BOOST_AUTO_TEST_CASE(e27_multi_name_event_field_quoted) {
    BOOST_TEST(line(event("w/", "file", Kind::close_write)) == "w/,\"CLOSE_WRITE,CLOSE\",file\n");
}

BOOST_AUTO_TEST_CASE(overflow_keeps_empty_watch_field) {
    BOOST_TEST(line(event("", "", Kind::overflow)) == ",Q_OVERFLOW,\n");
}

BOOST_AUTO_TEST_CASE(appends_and_never_truncates) {
    const std::string name(5000, 'x');
    std::string out = "before\n";
    render_csv(event("w/", name, Kind::create), out);
    BOOST_TEST(out == "before\nw/,CREATE," + name + "\n");
}
