#define BOOST_TEST_MODULE stats_table
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <string>
#include <optional>
#include <string_view>

#include "compat/stats_table.hpp"

using fswait::Kind;
using fswait::KindSet;
using fswait::kAllFileKinds;
using fswait::compat::StatsTable;
using fswait::compat::TableOptions;

namespace {

// Charges `n` events of `kind` to `key`.
void feed(StatsTable& t, std::string_view key, std::uint64_t order, Kind kind, int n = 1) {
    for (int i = 0; i < n; ++i) t.add(key, order, kind);
}

// One "touch w/a/1"-style burst (create, open, attrib, close_write) per file.
void touch_files(StatsTable& t, std::string_view dir, std::uint64_t order, int files) {
    feed(t, dir, order, Kind::create, files);
    feed(t, dir, order, Kind::open, files);
    feed(t, dir, order, Kind::attrib, files);
    feed(t, dir, order, Kind::close_write, files);
}

TableOptions sorted_by(std::optional<Kind> k, bool ascending, bool zero = false) {
    TableOptions o;
    o.sort_kind = k;
    o.ascending = ascending;
    o.zero = zero;
    return o;
}

const std::string kHeaderE114 = "total  modify  attrib  close_write  open  create  filename\n";
const std::string kHeaderAllZ =
    "total  access  modify  attrib  close_write  close_nowrite  open  moved_from  moved_to  "
    "move_self  create  delete  delete_self  filename\n";

// E114-E116 with -r on a tmpfs-like tree: w/a/ (wd 1), w/b/ (wd 2),
// w/c/ (wd 3) and w/ last (wd 4), as inotifywatch watches post-order.
StatsTable e114_table() {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/a/", 1);
    t.touch("w/b/", 2);
    t.touch("w/c/", 3);
    t.touch("w/", 4);
    touch_files(t, "w/a/", 1, 3);
    touch_files(t, "w/b/", 2, 1);
    // echo x > w/1
    t.add("w/", 4, Kind::create);
    t.add("w/", 4, Kind::open);
    t.add("w/", 4, Kind::modify);
    t.add("w/", 4, Kind::close_write);
    return t;
}

}  // namespace

BOOST_AUTO_TEST_CASE(e113_one_directory_all_columns_with_events) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/", 1);
    // echo hi > w/new; cat w/old > /dev/null; mv w/new w/new2; rm w/new2
    for (Kind k : {Kind::create, Kind::open, Kind::modify, Kind::close_write, Kind::open,
                   Kind::access, Kind::close_nowrite, Kind::moved_from, Kind::moved_to,
                   Kind::delete_}) {
        t.add("w/", 1, k);
    }
    BOOST_TEST(t.grand_total() == 10u);
    BOOST_TEST(t.render({}) ==
               "total  access  modify  close_write  close_nowrite  open  moved_from  moved_to  "
               "create  delete  filename\n"
               "10     1       1       1            1              2     1           1         "
               "1       1       w/\n");
}

BOOST_AUTO_TEST_CASE(e114_default_sort_descending_total_zero_rows_hidden) {
    const StatsTable t = e114_table();
    BOOST_TEST(t.render({}) == kHeaderE114 +
                                   "12     0       3       3            3     3       w/a/\n"
                                   "4      0       1       1            1     1       w/b/\n"
                                   "4      1       0       1            1     1       w/\n");
}

BOOST_AUTO_TEST_CASE(e115_ascending_total_ties_still_by_order) {
    const StatsTable t = e114_table();
    BOOST_TEST(t.render(sorted_by(std::nullopt, true)) ==
               kHeaderE114 +
                   "4      0       1       1            1     1       w/b/\n"
                   "4      1       0       1            1     1       w/\n"
                   "12     0       3       3            3     3       w/a/\n");
}

BOOST_AUTO_TEST_CASE(e116_descending_by_modify) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/a/", 1);
    t.touch("w/b/", 2);
    t.touch("w/", 3);
    touch_files(t, "w/a/", 1, 3);
    // echo x > w/b/1; echo x >> w/b/1
    for (Kind k : {Kind::create, Kind::open, Kind::modify, Kind::close_write, Kind::open,
                   Kind::modify, Kind::close_write}) {
        t.add("w/b/", 2, k);
    }
    for (Kind k : {Kind::create, Kind::open, Kind::modify, Kind::close_write}) t.add("w/", 3, k);
    BOOST_TEST(t.render(sorted_by(Kind::modify, false)) ==
               kHeaderE114 +
                   "7      2       0       2            2     1       w/b/\n"
                   "4      1       0       1            1     1       w/\n"
                   "12     0       3       3            3     3       w/a/\n");
}

BOOST_AUTO_TEST_CASE(e117_zero_shows_all_watched_columns_and_rows) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/a/", 1);
    t.touch("w/b/", 2);
    t.touch("w/", 3);
    touch_files(t, "w/a/", 1, 1);
    BOOST_TEST(t.render(sorted_by(std::nullopt, false, true)) ==
               kHeaderAllZ +
                   "4      0       0       1       1            0              1     0           "
                   "0         0          1       0       0            w/a/\n"
                   "0      0       0       0       0            0              0     0           "
                   "0         0          0       0       0            w/b/\n"
                   "0      0       0       0       0            0              0     0           "
                   "0         0          0       0       0            w/\n");
}

BOOST_AUTO_TEST_CASE(e118_event_mask_limits_columns) {
    StatsTable t(Kind::modify | Kind::create, 0);
    t.touch("w/", 1);
    t.add("w/", 1, Kind::create);
    t.add("w/", 1, Kind::modify);
    BOOST_TEST(t.render({}) == "total  modify  create  filename\n"
                               "2      1       1       w/\n");
}

BOOST_AUTO_TEST_CASE(zero_with_event_mask_and_unmount_column) {
    // inotifywatch -r -z -e modify,create[,unmount] w; echo x > w/a/1
    for (bool unmount : {false, true}) {
        KindSet mask = Kind::modify | Kind::create;
        if (unmount) mask |= Kind::unmount;
        StatsTable t(mask, 0);
        t.touch("w/c/", 1);
        t.touch("w/b/", 2);
        t.touch("w/a/", 3);
        t.touch("w/", 4);
        t.add("w/a/", 3, Kind::create);
        t.add("w/a/", 3, Kind::modify);
        const std::string got = t.render(sorted_by(std::nullopt, false, true));
        if (unmount) {
            BOOST_TEST(got == "total  modify  create  unmount  filename\n"
                              "2      1       1       0        w/a/\n"
                              "0      0       0       0        w/c/\n"
                              "0      0       0       0        w/b/\n"
                              "0      0       0       0        w/\n");
        } else {
            BOOST_TEST(got == "total  modify  create  filename\n"
                              "2      1       1       w/a/\n"
                              "0      0       0       w/c/\n"
                              "0      0       0       w/b/\n"
                              "0      0       0       w/\n");
        }
    }
}

BOOST_AUTO_TEST_CASE(default_mask_never_shows_unmount_even_with_zero) {
    StatsTable t(kAllFileKinds, 0);
    t.add("w/", 1, Kind::unmount);  // counted, but not a watched column
    t.add("w/", 1, Kind::attrib);
    const std::string got = t.render(sorted_by(std::nullopt, false, true));
    BOOST_TEST(got.find("unmount") == std::string::npos);
    BOOST_TEST(t.render({}) == "total  attrib  filename\n2      1       w/\n");
}

BOOST_AUTO_TEST_CASE(e121_to_e123_snapshots) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/", 1);
    touch_files(t, "w/", 1, 1);
    const std::string header = "total  attrib  close_write  open  create  filename\n";
    BOOST_TEST(t.render({}) == header + "4      1       1            1     1       w/\n");
    touch_files(t, "w/", 1, 1);
    BOOST_TEST(t.render({}) == header + "8      2       2            2     2       w/\n");
}

BOOST_AUTO_TEST_CASE(e124_untouched_parent_row_hidden) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/a/", 1);
    t.touch("w/", 2);
    touch_files(t, "w/a/", 1, 1);
    BOOST_TEST(t.render({}) == "total  attrib  close_write  open  create  filename\n"
                               "4      1       1            1     1       w/a/\n");
}

BOOST_AUTO_TEST_CASE(e125_ignored_counts_in_total_only) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/f", 1);
    t.add("w/f", 1, Kind::attrib);
    t.add("w/f", 1, Kind::delete_self);
    t.add("w/f", 1, Kind::ignored);
    BOOST_TEST(t.grand_total() == 3u);
    BOOST_TEST(t.render({}) == "total  attrib  delete_self  filename\n"
                               "3      1       1            w/f\n");
    // Checked against inotifywatch -z -t 1 f; rm f
    BOOST_TEST(t.render(sorted_by(std::nullopt, false, true)) ==
               kHeaderAllZ +
                   "3      0       0       1       0            0              0     0           "
                   "0         0          0       0       1            w/f\n");
}

BOOST_AUTO_TEST_CASE(only_ignored_events_leave_no_columns) {
    StatsTable t(kAllFileKinds, 0);
    t.add("w/f", 1, Kind::ignored);
    BOOST_TEST(t.render({}) == "total  filename\n1      w/f\n");
}

BOOST_AUTO_TEST_CASE(ties_keep_order_both_directions) {
    // inotifywatch -r [-a total] w; touch w/a/1 w/b/1 w/c/1 w/1 (tmpfs: wds c, b, a, w)
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/c/", 1);
    t.touch("w/b/", 2);
    t.touch("w/a/", 3);
    t.touch("w/", 4);
    // Fed in a different order from the sort order to prove `order` decides.
    for (std::string_view d : {"w/a/", "w/", "w/b/", "w/c/"}) {
        const std::uint64_t order = d == "w/c/" ? 1 : d == "w/b/" ? 2 : d == "w/a/" ? 3 : 4;
        touch_files(t, d, order, 1);
    }
    const std::string want = "total  attrib  close_write  open  create  filename\n"
                             "4      1       1            1     1       w/c/\n"
                             "4      1       1            1     1       w/b/\n"
                             "4      1       1            1     1       w/a/\n"
                             "4      1       1            1     1       w/\n";
    BOOST_TEST(t.render(sorted_by(std::nullopt, false)) == want);
    BOOST_TEST(t.render(sorted_by(std::nullopt, true)) == want);
}

BOOST_AUTO_TEST_CASE(sort_by_column_ascending_and_descending) {
    // inotifywatch -r -a modify / -d modify w;
    // echo x > w/a/1; echo x > w/b/1; echo y >> w/b/1; touch w/c/1 w/c/2; echo x > w/1
    StatsTable t(kAllFileKinds, 0);
    t.touch("w/c/", 1);
    t.touch("w/b/", 2);
    t.touch("w/a/", 3);
    t.touch("w/", 4);
    const auto echo = [&](std::string_view d, std::uint64_t order, bool create) {
        if (create) t.add(d, order, Kind::create);
        for (Kind k : {Kind::open, Kind::modify, Kind::close_write}) t.add(d, order, k);
    };
    echo("w/a/", 3, true);
    echo("w/b/", 2, true);
    echo("w/b/", 2, false);
    touch_files(t, "w/c/", 1, 2);
    echo("w/", 4, true);
    const std::string b = "7      2       0       2            2     1       w/b/\n";
    const std::string a = "4      1       0       1            1     1       w/a/\n";
    const std::string w = "4      1       0       1            1     1       w/\n";
    const std::string c = "8      0       2       2            2     2       w/c/\n";
    BOOST_TEST(t.render(sorted_by(Kind::modify, true)) == kHeaderE114 + c + a + w + b);
    BOOST_TEST(t.render(sorted_by(Kind::modify, false)) == kHeaderE114 + b + a + w + c);
    BOOST_TEST(t.render(sorted_by(std::nullopt, false)) == kHeaderE114 + c + b + a + w);
    BOOST_TEST(t.render(sorted_by(Kind::attrib, true)) == kHeaderE114 + b + a + w + c);
}

BOOST_AUTO_TEST_CASE(first_order_sticks) {
    StatsTable t(kAllFileKinds, 0);
    t.touch("late", 9);
    t.add("late", 1, Kind::open);
    t.add("early", 5, Kind::open);
    t.add("early", 0, Kind::open);
    t.add("late", 0, Kind::open);
    BOOST_TEST(t.render({}) == "total  open  filename\n2      2     early\n2      2     late\n");
}

BOOST_AUTO_TEST_CASE(wide_numbers_push_right) {
    // inotifywatch w; 12000 (then 60000) open+close of w/f
    for (int n : {12000, 60000}) {
        StatsTable t(kAllFileKinds, 0);
        t.touch("w/", 1);
        for (int i = 0; i < n; ++i) {
            t.add("w/", 1, Kind::open);
            t.add("w/", 1, Kind::close_nowrite);
        }
        const std::string want = n == 12000 ? "24000  12000          12000  w/\n"
                                            : "120000  60000          60000  w/\n";
        BOOST_TEST(t.render({}) == "total  close_nowrite  open  filename\n" + want);
    }
}

BOOST_AUTO_TEST_CASE(other_folds_smallest_latest_and_prints_last) {
    StatsTable t(kAllFileKinds, 2);
    feed(t, "a", 1, Kind::modify, 3);
    feed(t, "b", 2, Kind::modify, 1);
    feed(t, "c", 3, Kind::create, 1);  // full: b (total 1) is folded
    BOOST_TEST(t.rows() == 2u);
    feed(t, "d", 4, Kind::delete_, 1);  // a=3, c=1: c folded
    feed(t, "d", 4, Kind::delete_, 4);
    BOOST_TEST(t.rows() == 2u);
    BOOST_TEST(t.grand_total() == 10u);
    // (other) is last whatever the direction, even with the largest total
    // (d=5, a=3, other=2); columns count folded rows too.
    const std::string header = "total  modify  create  delete  filename\n";
    BOOST_TEST(t.render({}) == header +
                                   "5      0       0       5       d\n"
                                   "3      3       0       0       a\n"
                                   "2      1       1       0       (other)\n");
    BOOST_TEST(t.render(sorted_by(std::nullopt, true)) == header +
                                                           "3      3       0       0       a\n"
                                                           "5      0       0       5       d\n"
                                                           "2      1       1       0       (other)\n");
    feed(t, "e", 5, Kind::modify, 20);  // a=3 < d=5: a folded
    BOOST_TEST(t.render({}) == header +
                                   "20     20      0       0       e\n"
                                   "5      0       0       5       d\n"
                                   "5      4       1       0       (other)\n");
}

BOOST_AUTO_TEST_CASE(other_ties_fold_the_latest_arrival_despite_stale_index) {
    StatsTable t(kAllFileKinds, 3);
    t.add("x", 1, Kind::open);
    t.add("y", 2, Kind::open);
    t.add("z", 3, Kind::open);
    feed(t, "x", 1, Kind::open, 5);  // x's index entry goes stale
    t.add("n1", 4, Kind::open);      // y=1, z=1 tie: z came last
    t.add("n2", 5, Kind::open);      // y=1, n1=1 tie: n1 came last
    BOOST_TEST(t.render({}) == "total  open  filename\n"
                               "6      6     x\n"
                               "1      1     y\n"
                               "1      1     n2\n"
                               "2      2     (other)\n");
}

BOOST_AUTO_TEST_CASE(other_of_zero_rows_only_with_zero) {
    StatsTable t(kAllFileKinds, 1);
    t.touch("w/", 1);
    t.add("w/a/", 2, Kind::open);  // w/ (total 0) folded
    BOOST_TEST(t.rows() == 1u);
    BOOST_TEST(t.render({}) == "total  open  filename\n1      1     w/a/\n");
    BOOST_TEST(t.render(sorted_by(std::nullopt, false, true)) ==
               kHeaderAllZ +
                   "1      0       0       0       0            0              1     0           "
                   "0         0          0       0       0            w/a/\n"
                   "0      0       0       0       0            0              0     0           "
                   "0         0          0       0       0            (other)\n");
}

BOOST_AUTO_TEST_CASE(overflow_line_after_table) {
    StatsTable t(kAllFileKinds, 0);
    t.add("w/", 1, Kind::create);
    const std::string table = "total  create  filename\n1      1       w/\n";
    BOOST_TEST(t.render({}) == table);
    t.overflow();
    BOOST_TEST(t.render({}) == table + "1 queue overflow: events were lost, the counts above are too low.\n");
    t.overflow(41);
    BOOST_TEST(t.grand_total() == 1u);
    BOOST_TEST(t.render({}) == table + "42 queue overflows: events were lost, the counts above are too low.\n");
}

BOOST_AUTO_TEST_CASE(million_keys_bounded_rows) {
    // 1,000,000 events: one early key fed 100 times, then 999,900 keys
    // never seen before, each folding the newest single-event row.
    StatsTable t(kAllFileKinds, 10000);
    feed(t, "/keep/me", 0, Kind::modify, 100);
    std::string key = "/data/some/longer/directory/name/file-";
    const std::size_t base = key.size();
    for (std::uint64_t i = 1; i <= 1000000 - 100; ++i) {
        key.resize(base);
        key += std::to_string(i);
        t.add(key, i, Kind::create);
    }
    BOOST_TEST(t.rows() == 10000u);
    BOOST_TEST(t.grand_total() == 1000000u);
    const std::string out = t.render({});
    BOOST_TEST(out.find("total  modify  create  filename\n100    100     0       /keep/me\n") == 0u);
    const std::string other = "989901  0       989901  (other)\n";  // 999,900 - 9,999 folded
    BOOST_TEST(out.size() > other.size());
    BOOST_TEST(out.compare(out.size() - other.size(), other.size(), other) == 0);
    // Header, 10,000 rows (/keep/me and 9,999 fresh keys), (other).
    BOOST_TEST(std::count(out.begin(), out.end(), '\n') == 10002);
#if !defined(__SANITIZE_ADDRESS__)
    // The whole test process, Boost included, stays well under the 16 MB
    // the real tool is allowed.
    std::ifstream status("/proc/self/status");
    std::string line;
    long hwm_kb = -1;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) hwm_kb = std::stol(line.substr(6));
    }
    BOOST_TEST_MESSAGE("VmHWM " << hwm_kb << " kB");
    BOOST_TEST(hwm_kb > 0);
    BOOST_TEST(hwm_kb < 16 * 1024);
#endif
}
