// fswatch-stats -a / -d: which keys sort by what, and in which order the
// refusals of a key come (inotifywatch's checks first). The other options
// are tested in stats_options_test.cpp.
#define BOOST_TEST_MODULE stats_sort
#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>
#include <vector>

#include "compat/stats_options.hpp"
#include "tests/unit/stats_parse.hpp"

using namespace fswait;
using namespace fswait::compat;
using namespace fswait::test::stats;

BOOST_AUTO_TEST_CASE(sort_by_total) {
    for (const char* key : {"total", "TOTAL", "Total"}) {
        const StatsOptions a = accepted({"-a", key, "w"});
        BOOST_TEST(!a.sort_kind.has_value());
        BOOST_TEST(a.ascending);
        const StatsOptions d = accepted({"--descending", key, "w"});
        BOOST_TEST(!d.sort_kind.has_value());
        BOOST_TEST(!d.ascending);
    }
}

BOOST_AUTO_TEST_CASE(sort_by_each_column) {
    const std::vector<std::pair<const char*, Kind>> columns = {
        {"access", Kind::access},         {"modify", Kind::modify},
        {"attrib", Kind::attrib},         {"close_write", Kind::close_write},
        {"close_nowrite", Kind::close_nowrite}, {"open", Kind::open},
        {"moved_from", Kind::moved_from}, {"moved_to", Kind::moved_to},
        {"move_self", Kind::move_self},   {"create", Kind::create},
        {"delete", Kind::delete_},        {"delete_self", Kind::delete_self}};
    for (const auto& [name, kind] : columns) {
        const StatsOptions a = accepted({"-a", name, "w"});
        BOOST_TEST((a.sort_kind == kind), name);
        BOOST_TEST(a.ascending);
        const StatsOptions d = accepted({"-d", name, "w"});
        BOOST_TEST((d.sort_kind == kind), name);
        BOOST_TEST(!d.ascending);
    }
    BOOST_TEST((accepted({"-a", "MODIFY", "w"}).sort_kind == Kind::modify));
    BOOST_TEST((accepted({"-e", "unmount", "-d", "unmount", "w"}).sort_kind == Kind::unmount));
    BOOST_TEST((accepted({"-a", "modify,modify", "w"}).sort_kind == Kind::modify));
}

BOOST_AUTO_TEST_CASE(ascending_rejects_move_and_close_while_scanning) {
    expect_error({"-a", "move", "w"}, kMove);
    expect_error({"-a", "MOVE", "-t", "x"}, kMove);
    expect_error({"--ascending=close", "w"}, kClose);
    expect_error({"-a", "Close", "-e", "foo"}, kClose);
    expect_error({"-a", "move", "-d", "close", "w"}, kMove);
}

BOOST_AUTO_TEST_CASE(unknown_keys_quote_the_whole_argument) {
    for (const char* key : {"bogus", " total", "dont_follow", "onlydir", "modify,bogus"}) {
        expect_error({"-a", key, "w"}, invalid_key(key));
        expect_error({"-d", key, "w"}, invalid_key(key));
    }
    expect_error({"-d", "total", "-d", "bogus", "w"}, invalid_key("bogus"));
    expect_error({"-a", "bogus", "-a", "total", "w"}, invalid_key("bogus"));
}

BOOST_AUTO_TEST_CASE(only_ascending_counts_as_given) {
    // After an -a, a second -a or a -d is refused, whatever its key.
    expect_error({"-a", "total", "-a", "modify", "w"}, kOnce);  // E129
    expect_error({"-a", "total", "-d", "modify", "w"}, kOnce);
    expect_error({"-a", "total", "-a", "bogus", "w"}, kOnce);
    expect_error({"-a", "modify", "-d", "close", "w"}, kOnce);
    // -d is not recorded: -d may be repeated and -a may follow it (E130).
    const StatsOptions dd = accepted({"-d", "total", "-d", "modify", "w"});
    BOOST_TEST((dd.sort_kind == Kind::modify));
    BOOST_TEST(!dd.ascending);
    const StatsOptions dda = accepted({"-d", "total", "-d", "modify", "-a", "access", "w"});
    BOOST_TEST((dda.sort_kind == Kind::access));
    BOOST_TEST(dda.ascending);
    const StatsOptions da = accepted({"-d", "modify", "-a", "total", "w"});
    BOOST_TEST(!da.sort_kind.has_value());
    BOOST_TEST(da.ascending);
}

BOOST_AUTO_TEST_CASE(key_must_be_watched) {
    expect_error({"-e", "create", "-a", "modify", "w"}, kUnwatched);  // E131
    expect_error({"-e", "create", "-d", "modify", "w"}, kUnwatched);
    expect_error({"-a", "modify", "w", "-e", "create"}, kUnwatched);  // every -e counts
    expect_error({"-e", "oneshot", "-a", "modify", "w"}, kUnwatched);
    // Not among the default events: unmount and the kinds without a column.
    for (const char* key : {"unmount", "isdir", "oneshot", "ignored", "q_overflow"}) {
        expect_error({"-a", key, "w"}, kUnwatched);
        expect_error({"-d", key, "w"}, kUnwatched);
    }
    // A list is "watched" when any of its events is; empty -e lists add nothing.
    expect_error({"-e", "modify", "-d", "close", "w"}, kUnwatched);
    BOOST_TEST((accepted({"-e", "", "-a", "modify", "w"}).sort_kind == Kind::modify));
    BOOST_TEST((accepted({"-a", "modify", "-e", "create,modify", "w"}).sort_kind == Kind::modify));
}

BOOST_AUTO_TEST_CASE(keys_naming_no_event_sort_by_total) {
    // inotifywatch turns "" and "create," into no event at all, i.e. total.
    for (const char* key : {"", "create,", "close,", ",bogus"}) {
        const StatsOptions a = accepted({"-a", key, "w"});
        BOOST_TEST(!a.sort_kind.has_value());
        BOOST_TEST(a.ascending);
        // Deliberate difference: inotifywatch sorts these ascending under -d too.
        const StatsOptions d = accepted({"-d", key, "w"});
        BOOST_TEST(!d.sort_kind.has_value());
        BOOST_TEST(!d.ascending);
    }
}

BOOST_AUTO_TEST_CASE(descending_access_is_not_descending_total) {
    // Deliberate difference: inotifywatch reads "-d access" as "-d total".
    const StatsOptions d = accepted({"-d", "access", "w"});
    BOOST_TEST((d.sort_kind == Kind::access));
    BOOST_TEST(!d.ascending);
    // Its quirk also skips the watched check; such a line stays valid, and
    // sorts as inotifywatch sorts it.
    const StatsOptions u = accepted({"-e", "modify", "-d", "access", "w"});
    BOOST_TEST(!u.sort_kind.has_value());
    BOOST_TEST(!u.ascending);
    expect_error({"-e", "modify", "-a", "access", "w"}, kUnwatched);
}

BOOST_AUTO_TEST_CASE(keys_without_a_counter_are_refused) {
    // Deliberate difference: these crash inotifywatch with SIGSEGV (E167).
    expect_error({"-d", "close", "w"}, kClose);
    expect_error({"-d", "CLOSE", "w"}, kClose);
    expect_error({"--descending=move", "w"}, kMove);
    expect_error({"-d", "close"}, kClose);  // before "No files specified to watch!"
    for (const char* key : {"all_events", "ALL_EVENTS", "modify,create", "close_write,close_nowrite",
                            "move,modify", "access,access,open"}) {
        expect_error({"-a", key, "w"}, invalid_key(key));
        expect_error({"-d", key, "w"}, invalid_key(key));
    }
    expect_error({"-e", "isdir", "-a", "isdir", "w"}, invalid_key("isdir"));
    expect_error({"-e", "modify,oneshot", "-d", "oneshot", "w"}, invalid_key("oneshot"));
    expect_error({"-e", "ignored", "-a", "ignored", "w"}, invalid_key("ignored"));
    expect_error({"-e", "q_overflow", "-d", "q_overflow", "w"}, invalid_key("q_overflow"));
}

BOOST_AUTO_TEST_CASE(refusing_a_key_comes_after_inotifywatch_checks) {
    // Where inotifywatch says something else, it is said.
    expect_error({"-d", "close", "-t", "x", "w"},
                 "'x' is not a valid timeout value.\n" + kLongIntHint);
    expect_error({"-d", "close", "-e", "modify", "w"}, kUnwatched);
    expect_error({"-d", "all_events", "--include", "a", "--exclude", "b", "w"},
                 "include and exclude regexp cannot both be specified.\n");
    expect_getopt_error({"-d", "close", "--bogus", "w"},
                        "./bin/fswatch-stats: unrecognized option '--bogus'\n");
    // A key replaced by a later -a or -d never mattered.
    BOOST_TEST(!accepted({"-d", "close", "-a", "total", "w"}).sort_kind.has_value());
    BOOST_TEST((accepted({"-d", "all_events", "-d", "open", "w"}).sort_kind == Kind::open));
}
