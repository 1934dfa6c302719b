#define BOOST_TEST_MODULE path_list
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

#include "compat/path_list.hpp"

using fswait::compat::build_path_list;
using fswait::compat::PathList;
using Strings = std::vector<std::string>;

namespace {

PathList from_file(const std::string& text, const Strings& args = {}) {
    return build_path_list(args, text);
}

const Strings kNone;

}  // namespace

BOOST_AUTO_TEST_CASE(arguments_only) {
    const PathList l = build_path_list({"w", "", "@", "@x", "v", "@@y"}, std::nullopt);
    BOOST_TEST(l.watch == (Strings{"w", "v"}));
    BOOST_TEST(l.exclude == (Strings{"x", "@y"}));
}

BOOST_AUTO_TEST_CASE(nothing_at_all) {
    const PathList l = build_path_list({}, std::nullopt);
    BOOST_TEST(l.watch == kNone);
    BOOST_TEST(l.exclude == kNone);
}

BOOST_AUTO_TEST_CASE(only_exclusions_leave_no_watch) {
    const PathList l = build_path_list({"@w"}, std::nullopt);
    BOOST_TEST(l.watch == kNone);
    BOOST_TEST(l.exclude == (Strings{"w"}));
}

BOOST_AUTO_TEST_CASE(file_entries_come_before_arguments) {
    // The list of E82.
    const PathList l = from_file("w\n@w/skip\n\n@\n", {"v", "@a"});
    BOOST_TEST(l.watch == (Strings{"w", "v"}));
    BOOST_TEST(l.exclude == (Strings{"w/skip", "a"}));
}

BOOST_AUTO_TEST_CASE(empty_or_blank_file) {
    BOOST_TEST(from_file("").watch == kNone);
    BOOST_TEST(from_file("\n\n\n").watch == kNone);
    BOOST_TEST(from_file("@\n@\n").exclude == kNone);
}

BOOST_AUTO_TEST_CASE(nothing_is_trimmed) {
    const PathList l = from_file("  spaced  \n\tx\r\n# not a comment\n @y\n");
    BOOST_TEST(l.watch == (Strings{"  spaced  ", "\tx\r", "# not a comment", " @y"}));
    BOOST_TEST(l.exclude == kNone);
}

BOOST_AUTO_TEST_CASE(last_line_without_newline) {
    BOOST_TEST(from_file("a\nlast").watch == (Strings{"a", "last"}));
}

BOOST_AUTO_TEST_CASE(only_one_newline_is_cut) {
    // "\n\n" is two lines; a line holding just a newline is empty and skipped.
    BOOST_TEST(from_file("a\n\nb\n").watch == (Strings{"a", "b"}));
}

BOOST_AUTO_TEST_CASE(line_of_4095_bytes_is_one_entry) {
    const std::string line(4095, 'a');
    BOOST_TEST(from_file(line + "\nb\n").watch == (Strings{line, "b"}));
}

BOOST_AUTO_TEST_CASE(longer_lines_are_cut_every_4095_bytes) {
    const std::string chunk(4095, 'a');
    BOOST_TEST(from_file(chunk + "b\n").watch == (Strings{chunk, "b"}));
    BOOST_TEST(from_file(chunk + chunk + "xyz").watch == (Strings{chunk, chunk, "xyz"}));
}

BOOST_AUTO_TEST_CASE(each_cut_piece_is_classified_on_its_own) {
    const std::string chunk(4095, 'a');
    const PathList l = from_file(chunk + "@y\n" + chunk + "@\n");
    BOOST_TEST(l.watch == (Strings{chunk, chunk}));
    BOOST_TEST(l.exclude == (Strings{"y"}));  // the lone "@" piece is skipped

    const std::string excl = "@" + std::string(4095, 'x');  // 4096 bytes
    const PathList e = from_file(excl + "\n");
    BOOST_TEST(e.exclude == (Strings{std::string(4094, 'x')}));
    BOOST_TEST(e.watch == (Strings{"x"}));
}

BOOST_AUTO_TEST_CASE(a_nul_byte_ends_the_entry) {
    const std::string text("ab\0cd\nef\n\0gh\n", 13);
    BOOST_TEST(from_file(text).watch == (Strings{"ab", "ef"}));
}
