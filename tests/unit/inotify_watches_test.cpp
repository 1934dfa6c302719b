// The inotify backend's table of watches: which (root, directory) each
// watch descriptor stands for, through renames and removals of subtrees.
#define BOOST_TEST_MODULE inotify_watches
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "lib/inotify_watches.hpp"

using fswait::join_rel;
using fswait::WatchTable;

namespace {

// A tree of root 0: "" (wd 1), a (2), a/b (3), a0 (4), a!x (5), ab (6); and
// root 1: "" (7), a (8).
WatchTable sample() {
    WatchTable t;
    t.add(1, 0, "");
    t.add(2, 0, "a");
    t.add(3, 0, "a/b");
    t.add(4, 0, "a0");
    t.add(5, 0, "a!x");
    t.add(6, 0, "ab");
    t.add(7, 1, "");
    t.add(8, 1, "a");
    return t;
}

std::string where(const WatchTable& t, int wd) {
    const fswait::WatchPlace* p = t.find(wd);
    return p ? std::to_string(p->root) + ":" + p->rel : "-";
}

std::vector<int> sorted(std::vector<int> v) {
    std::sort(v.begin(), v.end());
    return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(join_rel_joins_with_one_slash) {
    BOOST_TEST(join_rel("", "") == "");
    BOOST_TEST(join_rel("", "a") == "a");
    BOOST_TEST(join_rel("a", "") == "a");
    BOOST_TEST(join_rel("a/b", "c") == "a/b/c");
}

BOOST_AUTO_TEST_CASE(a_known_wd_keeps_its_first_place) {
    WatchTable t = sample();
    BOOST_TEST(t.add(3, 1, "elsewhere").rel == "a/b");
    BOOST_TEST(where(t, 3) == "0:a/b");
    BOOST_TEST(t.wd_at(1, "elsewhere") == -1);
    BOOST_TEST(t.wd_at(0, "a/b") == 3);
    BOOST_TEST(t.size() == 8u);
}

BOOST_AUTO_TEST_CASE(a_subtree_is_the_directory_and_what_is_below_it_only) {
    WatchTable t = sample();
    BOOST_TEST(sorted(t.take_subtree(0, "a")) == (std::vector<int>{2, 3}), boost::test_tools::per_element());
    for (int wd : {1, 4, 5, 6, 7, 8}) BOOST_TEST(t.find(wd) != nullptr);
    BOOST_TEST(t.wd_at(0, "a") == -1);
    BOOST_TEST(sorted(t.wds_of(0)) == (std::vector<int>{1, 4, 5, 6}), boost::test_tools::per_element());
    BOOST_TEST(sorted(t.wds_of(1)) == (std::vector<int>{7, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_renamed_subtree_moves_with_every_descendant) {
    WatchTable t = sample();
    t.move_subtree(0, "a", 0, "ab/z");
    BOOST_TEST(where(t, 2) == "0:ab/z");
    BOOST_TEST(where(t, 3) == "0:ab/z/b");
    BOOST_TEST(where(t, 4) == "0:a0");
    BOOST_TEST(where(t, 5) == "0:a!x");
    BOOST_TEST(t.wd_at(0, "ab/z/b") == 3);
    BOOST_TEST(t.wd_at(0, "a/b") == -1);
    // Up the tree, and to another root.
    t.move_subtree(0, "ab/z", 0, "a");
    BOOST_TEST(where(t, 3) == "0:a/b");
    t.move_subtree(0, "a", 1, "a/in");
    BOOST_TEST(where(t, 2) == "1:a/in");
    BOOST_TEST(where(t, 3) == "1:a/in/b");
    BOOST_TEST(where(t, 8) == "1:a");
}

BOOST_AUTO_TEST_CASE(erase_leaves_a_newer_watch_at_the_same_place) {
    WatchTable t = sample();
    // The directory was replaced (rmdir + mkdir) before the old watch's
    // IGNORED was read: the new watch holds the place.
    t.relocate(2, 0, "a-old");
    t.add(9, 0, "a");
    t.relocate(2, 0, "a");  // found there again after lost events
    BOOST_TEST(t.wd_at(0, "a") == 2);
    t.erase(9);
    BOOST_TEST(t.wd_at(0, "a") == 2);
    t.erase(2);
    BOOST_TEST(t.wd_at(0, "a") == -1);
    BOOST_TEST(t.find(2) == nullptr);
}
