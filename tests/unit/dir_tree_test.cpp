#define BOOST_TEST_MODULE dir_tree
#include <boost/test/unit_test.hpp>

#include "lib/dir_tree.hpp"

using fswait::DirTree;
using fswait::HandleView;

namespace {

// Keys are opaque byte strings; short readable ones keep the tests legible.
struct Tree {
    DirTree t;
    Tree() {
        t.set_root("R", 0);
        t.add("a", "R", "a");
        t.add("b", "a", "b");
        t.add("c", "b", "c");
    }
    std::string rel_of(std::string_view key, DirTree::State want = DirTree::State::inside, int root = 0) {
        std::string rel;
        auto loc = t.locate(key, rel);
        BOOST_TEST((loc.state == want));
        if (want == DirTree::State::inside) BOOST_TEST(loc.root == root);
        return rel;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(paths_are_walks_up_to_the_root) {
    Tree f;
    BOOST_TEST(f.rel_of("R") == "");
    BOOST_TEST(f.rel_of("a") == "a");
    BOOST_TEST(f.rel_of("c") == "a/b/c");
}

BOOST_AUTO_TEST_CASE(unknown_reports_the_first_missing_ancestor) {
    DirTree t;
    t.set_root("R", 0);
    t.add("x", "M", "x");  // parent M never seen
    std::string rel;
    auto loc = t.locate("x", rel);
    BOOST_TEST((loc.state == DirTree::State::unknown));
    BOOST_TEST(loc.missing == "M");
    loc = t.locate("nothing", rel);
    BOOST_TEST(loc.missing == "nothing");
}

BOOST_AUTO_TEST_CASE(renaming_a_directory_moves_its_whole_subtree) {
    Tree f;
    std::string_view root = "R";
    f.t.move("a", &root, "renamed");
    BOOST_TEST(f.rel_of("c") == "renamed/b/c");
    BOOST_TEST(f.t.child("R", "a").empty());
    BOOST_TEST(f.t.child("R", "renamed") == "a");
}

BOOST_AUTO_TEST_CASE(moved_out_stops_at_once_and_moved_back_in_resumes) {
    Tree f;
    f.t.move("b", nullptr, "");
    f.rel_of("c", DirTree::State::outside);
    f.rel_of("b", DirTree::State::outside);
    BOOST_TEST(f.rel_of("a") == "a");
    std::string_view root = "R";
    f.t.move("b", &root, "back");
    BOOST_TEST(f.rel_of("c") == "back/c");
}

BOOST_AUTO_TEST_CASE(an_excluded_directory_keeps_its_parent_but_hides_below) {
    Tree f;
    f.t.exclude("b", "a", "b");
    f.rel_of("b", DirTree::State::outside);
    f.rel_of("c", DirTree::State::outside);
    auto [parent, name] = f.t.parent_of("b");
    BOOST_TEST(parent == "a");
    BOOST_TEST(name == "b");
}

BOOST_AUTO_TEST_CASE(outside_nodes_end_walks_and_roots_stay_roots) {
    DirTree t;
    t.set_root("R", 3);
    t.set_outside("P");
    t.add("R", "P", "w");   // a root is never re-parented
    t.set_outside("R");     // nor made outside
    std::string rel;
    auto loc = t.locate("R", rel);
    BOOST_TEST((loc.state == DirTree::State::inside));
    BOOST_TEST(loc.root == 3);
    t.add("o", "P", "o");
    loc = t.locate("o", rel);
    BOOST_TEST((loc.state == DirTree::State::outside));
}

BOOST_AUTO_TEST_CASE(remove_forgets_the_node_and_its_name) {
    Tree f;
    f.t.remove("c");
    BOOST_TEST(!f.t.contains("c"));
    BOOST_TEST(f.t.child("b", "c").empty());
    BOOST_TEST(f.t.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_loop_in_the_links_does_not_hang) {
    DirTree t;
    t.add("x", "y", "x");
    t.add("y", "x", "y");
    std::string rel;
    auto loc = t.locate("x", rel);
    BOOST_TEST((loc.state == DirTree::State::outside));
}

BOOST_AUTO_TEST_CASE(handle_keys_distinguish_fsid_type_and_bytes) {
    std::string a, b;
    HandleView h1{1, 1, "abc"}, h2{2, 1, "abc"}, h3{1, 2, "abc"}, h4{1, 1, "abd"};
    BOOST_TEST(fswait::handle_key(h1, a) != fswait::handle_key(h2, b));
    BOOST_TEST(fswait::handle_key(h1, a) != fswait::handle_key(h3, b));
    BOOST_TEST(fswait::handle_key(h1, a) != fswait::handle_key(h4, b));
    BOOST_TEST(fswait::handle_key(h1, a) == fswait::handle_key(HandleView{1, 1, "abc"}, b));
    BOOST_TEST(a.size() == 12u + 3u);
}

BOOST_AUTO_TEST_CASE(placeholders_are_collected_once_unlinked) {
    DirTree t;
    t.set_root("R", 0);
    t.add("x", "q", "x");  // q is a placeholder: a parent named, not yet seen
    t.add("y", "q", "y");
    BOOST_TEST(t.size() == 4u);
    BOOST_TEST(!t.contains("q"));
    std::string_view root = "R";
    t.move("x", &root, "x");
    BOOST_TEST(t.size() == 4u);  // y still links q
    t.move("y", &root, "y");
    BOOST_TEST(t.size() == 3u);  // q went with its last child
    std::string rel;
    BOOST_TEST((t.locate("y", rel).state == DirTree::State::inside));
    BOOST_TEST(rel == "y");
}

BOOST_AUTO_TEST_CASE(removing_a_directory_that_still_has_children_keeps_them_linked) {
    DirTree t;
    t.set_root("R", 0);
    t.add("a", "R", "a");
    t.add("b", "a", "b");
    t.remove("a");  // events were lost: b is still there
    std::string rel;
    auto loc = t.locate("b", rel);
    BOOST_TEST((loc.state == DirTree::State::unknown));
    BOOST_TEST(loc.missing == "a");
    t.remove("b");
    BOOST_TEST(t.size() == 1u);  // a went with its last child
}

// ---- review: TreeWatch after a queue overflow (reseed) ------------------------------
// These need CAP_SYS_ADMIN (fanotify); they pass vacuously without it.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "lib/fanotify_group.hpp"
#include "lib/file_handle.hpp"
#include "lib/tree_watch.hpp"

namespace {

struct Delivered {
    int root;
    fswait::Kind kind;
    std::string dir, name;
};

struct RecordingSink : fswait::EventSink {
    std::vector<Delivered> got;
    std::uint32_t cookie = 0;
    void deliver(int root, fswait::Kind kind, bool, std::string_view dir, std::string_view name, std::uint32_t,
                 pid_t) override {
        got.push_back({root, kind, std::string(dir), std::string(name)});
    }
    void ignored(int, std::string_view) override {}
    std::uint32_t next_cookie() override { return ++cookie; }
};

void touch(const std::string& p) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) ::close(fd);
}

// Reads what the group has queued (after a short settle) and translates it.
void pump(fswait::FanotifyGroup& g, fswait::TreeWatch& tw) {
    ::usleep(50000);
    std::vector<char> buf(1 << 16);
    for (;;) {
        auto n = g.read(buf.data(), buf.size());
        if (!n || *n == 0) break;
        std::vector<fswait::FanRecord> recs;
        (void)fswait::parse_fanotify_buffer(std::string_view(buf.data(), *n), recs);
        for (const auto& r : recs) tw.translate(r);
        tw.end_batch();
    }
}

bool any_in(const std::vector<Delivered>& v, const std::string& dir) {
    for (const auto& d : v)
        if (d.dir == dir) return true;
    return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(review_exclusions_survive_a_reseed) {
    auto group = fswait::FanotifyGroup::open();
    if (!group) return;  // not privileged
    char tmpl[] = "/tmp/fswait-review-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(tmpl));
    const std::string base = tmpl, w = base + "/w";
    ::mkdir(w.c_str(), 0755);
    ::mkdir((w + "/x").c_str(), 0755);
    ::mkdir((w + "/y").c_str(), 0755);
    RecordingSink sink;
    fswait::TreeWatch tw(*group, sink, fswait::kAllFileKinds);
    auto info = fswait::identify(w, true);
    BOOST_REQUIRE(static_cast<bool>(info));
    BOOST_REQUIRE(static_cast<bool>(tw.add_root(0, w, info->handle, true, {w + "/x"})));
    while (tw.seeding()) tw.seed_step();

    // (No event in x before the reseed: the first one would place an
    // ignore mark on x, and the kernel would then hide the defect.)
    touch(w + "/y/before");
    pump(*group, tw);
    BOOST_TEST(any_in(sink.got, "y"));

    // What Watcher::translate does on FAN_Q_OVERFLOW.
    tw.reseed();
    while (tw.seeding()) tw.seed_step();
    sink.got.clear();
    touch(w + "/x/after");
    touch(w + "/y/after");
    pump(*group, tw);
    BOOST_TEST(any_in(sink.got, "y"));
    BOOST_TEST(!any_in(sink.got, "x"));  // the @w/x exclusion must still hold
    for (const auto& d : sink.got)
        if (d.dir == "x") BOOST_TEST_MESSAGE("after reseed: x/ " << fswait::kind_name(d.kind) << " " << d.name);

    std::string cmd = "rm -rf '" + base + "'";
    (void)!::system(cmd.c_str());
}

// Inode-mark mode (a filesystem that refuses FAN_MARK_FILESYSTEM, e.g. an
// overlayfs mount): set FSWAIT_REVIEW_OVERLAY to an empty directory on one.
BOOST_AUTO_TEST_CASE(review_inode_mark_roots_survive_a_reseed) {
    const char* ov = ::getenv("FSWAIT_REVIEW_OVERLAY");
    auto group = fswait::FanotifyGroup::open();
    if (!ov || !group) return;
    const std::string w = std::string(ov) + "/w";
    ::mkdir(w.c_str(), 0755);
    ::mkdir((w + "/a").c_str(), 0755);
    RecordingSink sink;
    fswait::TreeWatch tw(*group, sink, fswait::kAllFileKinds);
    auto info = fswait::identify(w, true);
    BOOST_REQUIRE(static_cast<bool>(info));
    BOOST_REQUIRE(static_cast<bool>(tw.add_root(0, w, info->handle, true, {})));
    while (tw.seeding()) tw.seed_step();
    touch(w + "/a/before");
    pump(*group, tw);
    BOOST_TEST(any_in(sink.got, "a"));
    tw.reseed();
    while (tw.seeding()) tw.seed_step();
    sink.got.clear();
    touch(w + "/a/after");
    pump(*group, tw);
    BOOST_TEST(any_in(sink.got, "a"));  // events below the root must still be reported
    std::string cmd = "rm -rf '" + w + "'";
    (void)!::system(cmd.c_str());
}
