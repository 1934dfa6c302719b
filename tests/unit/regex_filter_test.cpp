#define BOOST_TEST_MODULE regex_filter
#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "compat/regex_filter.hpp"

using fswait::compat::make_filter;
using fswait::compat::RegexFilter;

namespace {

RegexFilter exclude(const std::string& pattern, bool icase = false) {
    auto f = RegexFilter::compile(pattern, icase, false);
    BOOST_REQUIRE(f.has_value());
    return std::move(*f);
}

RegexFilter include(const std::string& pattern, bool icase = false) {
    auto f = RegexFilter::compile(pattern, icase, true);
    BOOST_REQUIRE(f.has_value());
    return std::move(*f);
}

const std::optional<std::string> unset;

}  // namespace

static_assert(!std::is_copy_constructible_v<RegexFilter>);
static_assert(!std::is_copy_assignable_v<RegexFilter>);
static_assert(std::is_nothrow_move_constructible_v<RegexFilter>);
static_assert(std::is_nothrow_move_assignable_v<RegexFilter>);

BOOST_AUTO_TEST_CASE(bad_patterns_do_not_compile) {
    for (const char* bad : {"(", "[", "a{2", "*+("})
        BOOST_TEST(!RegexFilter::compile(bad, false, false).has_value(), bad);
    BOOST_TEST(!RegexFilter::compile("[", true, true).has_value());
}

BOOST_AUTO_TEST_CASE(exclude_drops_matches) {
    const RegexFilter f = exclude("\\.tmp$");  // E44
    BOOST_TEST(f.drops("w/a.tmp"));
    BOOST_TEST(!f.drops("w/b.txt"));
    BOOST_TEST(!f.drops("w/a.tmp.old"));
    BOOST_TEST(!f.is_include());
}

BOOST_AUTO_TEST_CASE(match_is_unanchored_over_the_whole_path) {
    const RegexFilter f = exclude("tmp");
    BOOST_TEST(f.drops("w/tmp/x"));
    BOOST_TEST(f.drops("tmp/"));
    BOOST_TEST(!f.drops("w/x"));
}

BOOST_AUTO_TEST_CASE(anchored_watch_path_excludes_everything_below_it) {
    const RegexFilter f = exclude("^w/");  // E46
    BOOST_TEST(f.drops("w/a"));
    BOOST_TEST(f.drops("w/"));  // an event on the watched directory itself
    BOOST_TEST(!f.drops("./w/a"));
    BOOST_TEST(!f.drops("v/w/a"));
}

BOOST_AUTO_TEST_CASE(extended_syntax_not_basic) {
    const RegexFilter alt = exclude("a|b");  // alternation in ERE, a literal "a|b" in BRE
    BOOST_TEST(alt.drops("w/a"));
    BOOST_TEST(alt.drops("w/b"));
    BOOST_TEST(!alt.drops("w/c"));
    const RegexFilter group = exclude("(ab)+\\.log$");
    BOOST_TEST(group.drops("w/abab.log"));
    BOOST_TEST(!group.drops("w/(ab).log"));
}

BOOST_AUTO_TEST_CASE(case_sensitivity) {
    BOOST_TEST(!exclude("JPG$").drops("w/x.jpg"));
    const RegexFilter i = exclude("JPG$", true);  // E47
    BOOST_TEST(i.drops("w/x.jpg"));
    BOOST_TEST(i.drops("w/x.JpG"));
    BOOST_TEST(!i.drops("w/y.png"));
}

BOOST_AUTO_TEST_CASE(include_drops_what_does_not_match) {
    const RegexFilter f = include("\\.txt$");  // E48
    BOOST_TEST(f.is_include());
    BOOST_TEST(!f.drops("w/a.txt"));
    BOOST_TEST(f.drops("w/b.dat"));
    BOOST_TEST(f.drops("w/"));
    BOOST_TEST(f.drops("w/A.TXT"));
    const RegexFilter i = include("\\.txt$", true);
    BOOST_TEST(!i.drops("w/A.TXT"));
    BOOST_TEST(i.drops("w/b.dat"));
}

BOOST_AUTO_TEST_CASE(moved_filter_keeps_working) {
    RegexFilter a = exclude("x");
    RegexFilter b = std::move(a);
    BOOST_TEST(b.drops("w/x"));
    RegexFilter c = include("y");
    c = std::move(b);
    BOOST_TEST(c.drops("w/x"));
    BOOST_TEST(!c.drops("w/y"));
}

BOOST_AUTO_TEST_CASE(make_filter_picks_the_option_that_is_set) {
    const auto none = make_filter(unset, unset, unset, unset);
    BOOST_TEST(!none.filter.has_value());
    BOOST_TEST(none.error.empty());

    const auto ex = make_filter(std::string("a"), unset, unset, unset);
    BOOST_REQUIRE(ex.filter.has_value());
    BOOST_TEST(!ex.filter->is_include());
    BOOST_TEST(ex.filter->drops("w/a"));
    BOOST_TEST(!ex.filter->drops("w/A"));

    const auto exi = make_filter(unset, std::string("a"), unset, unset);
    BOOST_REQUIRE(exi.filter.has_value());
    BOOST_TEST(exi.filter->drops("w/A"));

    const auto in = make_filter(unset, unset, std::string("a"), unset);
    BOOST_REQUIRE(in.filter.has_value());
    BOOST_TEST(in.filter->is_include());
    BOOST_TEST(in.filter->drops("w/A"));

    const auto ini = make_filter(unset, unset, unset, std::string("a"));
    BOOST_REQUIRE(ini.filter.has_value());
    BOOST_TEST(ini.filter->is_include());
    BOOST_TEST(!ini.filter->drops("w/A"));
    BOOST_TEST(ini.error.empty());
}

BOOST_AUTO_TEST_CASE(make_filter_error_lines) {
    const std::string ex = "Error in `exclude' regular expression.\n";  // E53
    const std::string in = "Error in `include' regular expression.\n";  // E54
    const std::string bad = "(";
    BOOST_TEST(make_filter(bad, unset, unset, unset).error == ex);
    BOOST_TEST(make_filter(unset, bad, unset, unset).error == ex);
    BOOST_TEST(make_filter(unset, unset, std::string("["), unset).error == in);
    BOOST_TEST(make_filter(unset, unset, unset, std::string("[")).error == in);
    BOOST_TEST(!make_filter(unset, unset, unset, bad).filter.has_value());
}
