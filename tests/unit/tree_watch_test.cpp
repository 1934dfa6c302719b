// What recursive watching does when a directory handle cannot be opened:
// the directory is gone (ESTALE), or no descriptor is left (EMFILE, ENFILE).
// Records are made by hand, as the kernel would report a file created in a
// directory the background walk has not reached yet; the filesystem mark
// sits on a private tmpfs and its queue is never read.
#define BOOST_TEST_MODULE tree_watch
#include "tests/unit/kernel_test.hpp"

#include <sys/fanotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "lib/event_sink.hpp"
#include "lib/fanotify_group.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/file_handle.hpp"
#include "lib/tree_watch.hpp"
#include "tests/unit/scripted_sys.hpp"

using fswait::FanotifyGroup;
using fswait::FanRecord;
using fswait::FileHandle;
using fswait::HandleView;
using fswait::Kind;
using fswait::TreeWatch;
using fswait::test::FdTableFull;
using fswait::test::fresh_dir;
using fswait::test::handle_of;
using fswait::test::ScriptedSys;

namespace {

constexpr pid_t kPid = 4242;

struct Delivery {
    int root;
    Kind kind;
    bool is_dir;
    std::string dir, name;
    pid_t pid;
    friend bool operator==(const Delivery&, const Delivery&) = default;
};

std::ostream& operator<<(std::ostream& os, const Delivery& d) {
    return os << d.root << ' ' << fswait::kind_name(d.kind) << (d.is_dir ? ",ISDIR " : " ") << '\'' << d.dir
              << "' '" << d.name << "' pid " << d.pid;
}

struct Sink : fswait::EventSink {
    std::vector<Delivery> got;
    void deliver(int root, Kind kind, bool is_dir, std::string_view dir, std::string_view name, std::uint32_t,
                 pid_t pid) override {
        got.push_back({root, kind, is_dir, std::string(dir), std::string(name), pid});
    }
    void ignored(int, std::string_view) override {}
    std::uint32_t next_cookie() override { return 1; }
};

FanotifyGroup open_group() {
    auto g = FanotifyGroup::open();
    BOOST_REQUIRE(g.ok());
    return std::move(*g);
}

// A tree w/ with w/a/b on disk; the TreeWatch knows only w/ (no walk ran).
struct Tree {
    std::string root;
    FanotifyGroup group = open_group();
    Sink sink;
    ScriptedSys sys;
    TreeWatch tw{group, sink, fswait::kAllFileKinds, sys};

    explicit Tree(const std::string& name) : root(fresh_dir(name)) {
        BOOST_REQUIRE(::mkdir((root + "/a").c_str(), 0755) == 0);
        BOOST_REQUIRE(::mkdir((root + "/a/b").c_str(), 0755) == 0);
        BOOST_REQUIRE(tw.add_root(0, root, handle_of(root), true, {}).ok());
        tw.end_batch();  // as the first walk step does: the set-up is over
    }

    // One batch holding the record "`name` was created in the directory `dir`".
    void create_in(const FileHandle& dir, std::string_view name) {
        FanRecord r;
        r.mask = FAN_CREATE;
        r.pid = kPid;
        r.dir = HandleView{dir.fsid, dir.type, dir.bytes};
        r.name = name;
        tw.translate(r);
        tw.end_batch();
    }

    static Delivery created(std::string dir, std::string name) {
        return {0, Kind::create, false, std::move(dir), std::move(name), kPid};
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_unwalked_directory_is_placed_through_its_handle) {
    Tree t("plain");
    t.create_in(handle_of(t.root + "/a/b"), "f");
    BOOST_TEST(t.sink.got == std::vector<Delivery>{Tree::created("a/b", "f")}, boost::test_tools::per_element());
    BOOST_TEST(t.tw.stats().unresolved == 0u);
    BOOST_TEST(t.tw.stats().no_fds == 0u);
    BOOST_TEST(t.sys.opens.calls == 1);
}

BOOST_AUTO_TEST_CASE(emfile_or_enfile_once_is_retried_with_the_reserve_and_the_event_delivered) {
    for (int e : {EMFILE, ENFILE}) {
        BOOST_TEST_CONTEXT("errno " << e) {
            Tree t(e == EMFILE ? "emfile" : "enfile");
            t.sys.opens.next = {e};
            t.create_in(handle_of(t.root + "/a/b"), "f");
            BOOST_TEST(t.sink.got == std::vector<Delivery>{Tree::created("a/b", "f")},
                       boost::test_tools::per_element());
            BOOST_TEST(t.tw.stats().no_fds == 1u);
            BOOST_TEST(t.tw.stats().no_fds_lost == 0u);
            BOOST_TEST(t.tw.stats().unresolved == 0u);
            BOOST_TEST(t.sys.opens.calls == 2);
        }
    }
}

BOOST_AUTO_TEST_CASE(emfile_twice_counts_the_event_unresolved_and_remembers_nothing) {
    Tree t("emfile_twice");
    const FileHandle b = handle_of(t.root + "/a/b");
    t.sys.opens.next = {EMFILE, EMFILE};
    t.create_in(b, "lost");
    BOOST_TEST(t.sink.got.empty());
    BOOST_TEST(t.tw.stats().no_fds == 1u);
    BOOST_TEST(t.tw.stats().no_fds_lost == 1u);
    BOOST_TEST(t.tw.stats().unresolved == 1u);
    BOOST_TEST(t.tw.stats().foreign == 0u);
    // Not taken for outside the tree: the next event there is delivered.
    t.create_in(b, "g");
    BOOST_TEST(t.sink.got == std::vector<Delivery>{Tree::created("a/b", "g")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(emfile_on_a_directory_outside_the_tree_never_delivers_it) {
    Tree t("emfile_outside");
    const std::string other = fresh_dir("emfile_outside_other");
    t.sys.opens.next = {EMFILE};
    t.create_in(handle_of(other), "f");
    BOOST_TEST(t.sink.got.empty());
    BOOST_TEST(t.tw.stats().no_fds == 1u);
    BOOST_TEST(t.tw.stats().foreign == 1u);
    BOOST_TEST(t.tw.stats().unresolved == 0u);
}

BOOST_AUTO_TEST_CASE(estale_is_a_vanished_directory_counted_once_and_not_retried) {
    Tree t("estale");
    t.sys.opens.next = {ESTALE};
    t.create_in(handle_of(t.root + "/a/b"), "f");
    BOOST_TEST(t.sink.got.empty());
    BOOST_TEST(t.tw.stats().unresolved == 1u);
    BOOST_TEST(t.tw.stats().no_fds == 0u);
    BOOST_TEST(t.tw.stats().no_fds_lost == 0u);
    BOOST_TEST(t.sys.opens.calls == 1);
}

BOOST_AUTO_TEST_CASE(a_really_removed_directory_is_counted_unresolved_and_the_tree_goes_on) {
    Tree t("removed");
    const std::string gone = t.root + "/a/gone";
    BOOST_REQUIRE(::mkdir(gone.c_str(), 0755) == 0);
    const FileHandle h = handle_of(gone);
    BOOST_REQUIRE(::rmdir(gone.c_str()) == 0);
    t.create_in(h, "f");
    BOOST_TEST(t.sink.got.empty());
    BOOST_TEST(t.tw.stats().unresolved == 1u);
    BOOST_TEST(t.tw.stats().no_fds == 0u);
    t.create_in(handle_of(t.root + "/a/b"), "f");
    BOOST_TEST(t.sink.got == std::vector<Delivery>{Tree::created("a/b", "f")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_really_full_descriptor_table_still_delivers_the_event) {
    Tree t("full");
    const FileHandle b = handle_of(t.root + "/a/b");
    {
        FdTableFull full;
        BOOST_REQUIRE(full.error() == EMFILE);
        t.create_in(b, "f");
    }
    BOOST_TEST(t.sink.got == std::vector<Delivery>{Tree::created("a/b", "f")}, boost::test_tools::per_element());
    BOOST_TEST(t.tw.stats().no_fds == 1u);
    BOOST_TEST(t.tw.stats().unresolved == 0u);
    // The reserve was taken back: the next shortage is met the same way.
    // The reserve is whole again after each event, so a table that stays
    // full costs nothing but the retries.
    std::vector<FileHandle> dirs;
    for (std::string d : {"c", "d", "e"}) {
        BOOST_REQUIRE(::mkdir((t.root + "/a/b/" + d).c_str(), 0755) == 0);
        dirs.push_back(handle_of(t.root + "/a/b/" + d));
    }
    {
        FdTableFull full;
        for (const FileHandle& d : dirs) t.create_in(d, "g");
    }
    BOOST_REQUIRE(t.sink.got.size() == 4u);
    BOOST_TEST(t.sink.got[1] == Tree::created("a/b/c", "g"));
    BOOST_TEST(t.sink.got[3] == Tree::created("a/b/e", "g"));
    BOOST_TEST(t.tw.stats().no_fds == 4u);
    BOOST_TEST(t.tw.stats().no_fds_lost == 0u);
}
