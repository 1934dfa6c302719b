#define BOOST_TEST_MODULE watch_path
#include <boost/test/unit_test.hpp>

#include "compat/watch_path.hpp"

using fswait::compat::watch_path;

BOOST_AUTO_TEST_CASE(directory_root_gets_one_slash) {  // E01, E02
    BOOST_TEST(watch_path("w", true, "") == "w/");
    BOOST_TEST(watch_path("w/", true, "") == "w/");
    BOOST_TEST(watch_path("./w", true, "") == "./w/");
    BOOST_TEST(watch_path("/", true, "") == "/");
    BOOST_TEST(watch_path("w//", true, "") == "w//");  // as typed, never normalised
}

BOOST_AUTO_TEST_CASE(non_directory_root_as_typed) {
    BOOST_TEST(watch_path("w/file", false, "") == "w/file");  // E03, E15
    BOOST_TEST(watch_path("link", false, "") == "link");      // E97: lstat says symlink
}

BOOST_AUTO_TEST_CASE(subdirectory_below_root) {  // E31
    BOOST_TEST(watch_path("w", true, "a/b") == "w/a/b/");
    BOOST_TEST(watch_path("w/", true, "a") == "w/a/");
    BOOST_TEST(watch_path("./w", true, "a b") == "./w/a b/");
}

BOOST_AUTO_TEST_CASE(subdirectory_below_symlink_root_is_still_separated) {
    // inotifywait -r link (link -> dir) prints "link/a/" for events in link/a.
    BOOST_TEST(watch_path("link", false, "a") == "link/a/");
}

BOOST_AUTO_TEST_CASE(raw_bytes_pass_through) {
    BOOST_TEST(watch_path("w\n\xff", true, "s\tub") == "w\n\xff/s\tub/");
}
