// The inotify backend against the real kernel, on a private tmpfs: the
// exact Events (kind, is_dir, root, dir, name) for plain watches, watched
// files, oneshot, unmount and overflow, and for recursive trees: the first
// walk with @exclusions, new directories (what was made in them before
// their watch existed is reported, once), renames in, out and inside, and
// directories that cannot be watched.
#define BOOST_TEST_MODULE inotify_watcher
#include "tests/unit/kernel_test.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include "lib/inotify_watcher.hpp"

using fswait::Event;
using fswait::InotifyWatcher;
using fswait::Kind;
using fswait::KindSet;
using fswait::UniqueFd;
using fswait::WatcherOptions;
using fswait::test::fresh_dir;

namespace {

// What a test may do while the watcher lists a directory: opendir(3) is
// replaced below, so that a test can act between the moment a new
// directory's watch is placed and the moment it is read (the race every
// recursive inotify watcher has) deterministically.
std::function<void(const std::string&)> g_before_opendir;

}  // namespace

extern "C" DIR* opendir(const char* name) {
    if (g_before_opendir) g_before_opendir(name);
    // glibc's own flags, so that the kernel sees the same open.
    int fd = ::open(name, O_RDONLY | O_NONBLOCK | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    DIR* d = ::fdopendir(fd);
    if (!d) ::close(fd);
    return d;
}

namespace {

struct Ev {
    Kind kind;
    bool is_dir;
    int root;
    std::string dir, name;
    friend bool operator==(const Ev&, const Ev&) = default;
};

std::ostream& operator<<(std::ostream& os, const Ev& e) {
    return os << e.root << " '" << e.dir << "' " << fswait::kind_name(e.kind) << (e.is_dir ? ",ISDIR" : "") << " '"
              << e.name << "'";
}

Ev ev(Kind k, std::string dir, std::string name, bool is_dir = false, int root = 0) {
    return {k, is_dir, root, std::move(dir), std::move(name)};
}

void touch(const std::string& p) {
    UniqueFd fd(::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    BOOST_REQUIRE_MESSAGE(fd, "create " << p);
}

void make_dir(const std::string& p) { BOOST_REQUIRE_MESSAGE(::mkdir(p.c_str(), 0755) == 0, "mkdir " << p); }

void move(const std::string& a, const std::string& b) {
    BOOST_REQUIRE_MESSAGE(::rename(a.c_str(), b.c_str()) == 0, "rename " << a);
}

struct Watch {
    std::unique_ptr<InotifyWatcher> w;
    std::vector<Event> raw;

    explicit Watch(KindSet report, bool recursive = false, bool oneshot = false,
                   std::vector<std::string> excluded = {}) {
        WatcherOptions o;
        o.report = report;
        o.recursive = recursive;
        o.oneshot = oneshot;
        UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
        BOOST_REQUIRE(fd);
        w = std::make_unique<InotifyWatcher>(std::move(fd), o);
        if (!excluded.empty()) w->exclude(std::move(excluded));
    }

    int add(const std::string& path, bool follow = true) {
        auto r = w->add(path, follow);
        BOOST_REQUIRE_MESSAGE(r.ok(), "add " << path << ": " << r.error().message());
        return *r;
    }

    // Everything queued now (and what our own reading queues meanwhile).
    std::vector<Ev> drain() {
        std::vector<Ev> got;
        for (;;) {
            raw.clear();
            BOOST_REQUIRE(w->read_queued(raw).ok());
            for (const Event& e : raw) got.push_back({e.kind, e.is_dir, e.root, e.dir, e.name});
            if (w->last_read_records() == 0) return got;
        }
    }
};

constexpr KindSet kAll = fswait::kAllFileKinds;
const KindSet kMoves = Kind::create | Kind::moved_from | Kind::moved_to;

std::vector<Ev> only(const std::vector<Ev>& v, KindSet kinds) {
    std::vector<Ev> out;
    std::copy_if(v.begin(), v.end(), std::back_inserter(out), [&](const Ev& e) { return kinds.has(e.kind); });
    return out;
}

using Evs = std::vector<Ev>;

}  // namespace

BOOST_AUTO_TEST_CASE(file_lifecycle_in_a_watched_directory) {
    const std::string w = fresh_dir("life");
    Watch t(kAll);
    BOOST_TEST(t.add(w) == 0);
    BOOST_TEST(t.w->root(0).info.is_dir);
    {
        UniqueFd fd(::open((w + "/f").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        BOOST_REQUIRE(::write(fd.get(), "x", 1) == 1);
    }
    move(w + "/f", w + "/g");
    BOOST_REQUIRE(::unlink((w + "/g").c_str()) == 0);
    make_dir(w + "/d");
    BOOST_REQUIRE(::rmdir((w + "/d").c_str()) == 0);
    const Evs want{ev(Kind::create, "", "f"),      ev(Kind::open, "", "f"),
                   ev(Kind::modify, "", "f"),      ev(Kind::close_write, "", "f"),
                   ev(Kind::moved_from, "", "f"),  ev(Kind::moved_to, "", "g"),
                   ev(Kind::delete_, "", "g"),     ev(Kind::create, "", "d", true),
                   ev(Kind::delete_, "", "d", true)};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rename_halves_share_the_kernel_cookie) {
    const std::string w = fresh_dir("cookie");
    touch(w + "/a");
    Watch t(kMoves);
    t.add(w);
    move(w + "/a", w + "/b");
    std::vector<Event> got;
    BOOST_REQUIRE(t.w->read_queued(got).ok());
    BOOST_REQUIRE(got.size() == 2u);
    BOOST_TEST(got[0].cookie != 0u);
    BOOST_TEST(got[0].cookie == got[1].cookie);
    BOOST_TEST(got[0].pid == 0);
    BOOST_TEST(!got[0].process);
    BOOST_TEST(got[0].time.tv_sec > 0);
}

BOOST_AUTO_TEST_CASE(watched_file_attrib_delete_self_ignored) {
    const std::string w = fresh_dir("file");
    touch(w + "/f");
    Watch t(kAll);
    BOOST_TEST(t.add(w + "/f") == 0);
    BOOST_TEST(!t.w->root(0).info.is_dir);
    BOOST_TEST(t.w->root(0).alive);
    BOOST_REQUIRE(::unlink((w + "/f").c_str()) == 0);
    // The link count changes (ATTRIB), then the inode goes.
    const Evs want{ev(Kind::attrib, "", ""), ev(Kind::delete_self, "", ""), ev(Kind::ignored, "", "")};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
    BOOST_TEST(!t.w->root(0).alive);
}

BOOST_AUTO_TEST_CASE(a_deleted_directory_root_says_delete_self_without_isdir) {
    const std::string w = fresh_dir("gone");
    Watch t(Kind::create);  // IGNORED is delivered even when not asked for
    t.add(w);
    BOOST_REQUIRE(::rmdir(w.c_str()) == 0);
    BOOST_TEST(t.drain() == Evs{ev(Kind::ignored, "", "")}, boost::test_tools::per_element());
    BOOST_TEST(!t.w->root(0).alive);

    const std::string v = fresh_dir("gone2");
    Watch all(kAll);
    all.add(v);
    BOOST_REQUIRE(::rmdir(v.c_str()) == 0);
    BOOST_TEST(all.drain() == (Evs{ev(Kind::delete_self, "", ""), ev(Kind::ignored, "", "")}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(one_object_by_two_names_is_one_root) {
    const std::string w = fresh_dir("twice");
    touch(w + "/a");
    BOOST_REQUIRE(::link((w + "/a").c_str(), (w + "/b").c_str()) == 0);
    BOOST_REQUIRE(::symlink("a", (w + "/s").c_str()) == 0);
    Watch t(Kind::modify | Kind::attrib);
    BOOST_TEST(t.add(w + "/a") == 0);
    BOOST_TEST(t.add(w + "/b") == 0);  // hard link: the same watch
    BOOST_TEST(t.add(w + "/s") == 0);  // symlink, followed
    BOOST_TEST(t.add(w + "/s", false) == 1);  // -P: the link itself
    BOOST_TEST(!t.w->root(1).info.is_dir);
    {
        UniqueFd fd(::open((w + "/b").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
        BOOST_REQUIRE(::write(fd.get(), "x", 1) == 1);
    }
    BOOST_TEST(t.drain() == Evs{ev(Kind::modify, "", "")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_symlink_root_is_followed_and_knows_it_is_one) {
    const std::string w = fresh_dir("symroot");
    make_dir(w + "/real");
    BOOST_REQUIRE(::symlink("real", (w + "/link").c_str()) == 0);
    Watch t(Kind::create);
    t.add(w + "/link");
    BOOST_TEST(t.w->root(0).info.is_dir);
    BOOST_TEST(!t.w->root(0).info.lstat_dir);
    touch(w + "/real/f");
    BOOST_TEST(t.drain() == Evs{ev(Kind::create, "", "f")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(oneshot_ends_the_watch_after_its_first_event) {
    const std::string w = fresh_dir("oneshot");
    Watch t(Kind::create, false, true);
    t.add(w);
    touch(w + "/a");
    touch(w + "/b");
    BOOST_TEST(t.drain() == (Evs{ev(Kind::create, "", "a"), ev(Kind::ignored, "", "")}),
               boost::test_tools::per_element());
    BOOST_TEST(!t.w->root(0).alive);
    touch(w + "/c");
    BOOST_TEST(t.drain().empty());
}

BOOST_AUTO_TEST_CASE(unmount_then_ignored) {
    const std::string m = fresh_dir("mnt");
    BOOST_REQUIRE(::mount("tmpfs", m.c_str(), "tmpfs", 0, "size=1m") == 0);
    make_dir(m + "/w");
    Watch t(Kind::create);  // UNMOUNT is delivered even when not asked for
    t.add(m + "/w");
    BOOST_REQUIRE(::umount(m.c_str()) == 0);
    BOOST_TEST(t.drain() == (Evs{ev(Kind::unmount, "", "", true), ev(Kind::ignored, "", "")}),
               boost::test_tools::per_element());
    BOOST_TEST(!t.w->root(0).alive);
}

BOOST_AUTO_TEST_CASE(errors_of_inotify_add_watch_come_in_inotify_words) {
    Watch t(kAll);
    auto r = t.w->add(fswait::test::kScratch + "/missing", true);
    BOOST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().value() == ENOENT);
    BOOST_TEST(&r.error().category() == &fswait::inotify_category());
    BOOST_TEST(t.w->poll_sources().size() == 1u);
    BOOST_TEST(t.w->poll_sources()[0].queue);
}

namespace {

int max_queued_events() {
    std::ifstream f("/proc/sys/fs/inotify/max_queued_events");
    int n = 0;
    f >> n;
    BOOST_REQUIRE(n > 0);
    return n;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_full_queue_gives_one_overflow_and_the_tree_is_repaired) {
    const std::string w = fresh_dir("overflow");
    make_dir(w + "/a");
    make_dir(w + "/b");
    Watch t(kAll, true);
    t.add(w);
    // Three events per file (CREATE, OPEN, CLOSE_WRITE): past the limit.
    const int files = max_queued_events() / 3 + 10;
    for (int i = 0; i < files; ++i) touch(w + "/a/" + std::to_string(i));
    BOOST_TEST(t.w->queued_events() >= static_cast<std::size_t>(max_queued_events()));
    // Lost: the tree changes while the queue is full.
    make_dir(w + "/new");
    move(w + "/a", w + "/a2");
    BOOST_REQUIRE(::rmdir((w + "/b").c_str()) == 0);
    const Evs got = t.drain();
    auto over = std::find_if(got.begin(), got.end(), [](const Ev& e) { return e.kind == Kind::overflow; });
    BOOST_REQUIRE(over != got.end());
    BOOST_TEST(over->root == -1);
    BOOST_TEST(std::count_if(got.begin(), got.end(), [](const Ev& e) { return e.kind == Kind::overflow; }) == 1);
    // The repair walk reads every directory: none of that is reported.
    BOOST_TEST(Evs(over + 1, got.end()).empty(), boost::test_tools::per_element());
    touch(w + "/new/f");
    touch(w + "/a2/g");
    BOOST_TEST(only(t.drain(), Kind::create) == (Evs{ev(Kind::create, "new", "f"), ev(Kind::create, "a2", "g")}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(first_walk_with_exclusions_and_symlinks) {
    const std::string w = fresh_dir("walk");
    const std::string out = fresh_dir("walk_out");
    for (const char* d : {"/a", "/a/b", "/skip", "/skip/x", "/keep", "/slash", "/dotted"}) make_dir(w + d);
    BOOST_REQUIRE(::symlink(out.c_str(), (w + "/lnk").c_str()) == 0);
    // The root is never excluded; a trailing '/' is tolerated; a path
    // spelled otherwise than the walk spells it does not match.
    Watch t(Kind::create, true, false, {w, w + "/skip", w + "/slash/", w + "/./dotted", w + "/a/b/"});
    t.add(w);
    for (const char* d : {"", "/a", "/a/b", "/skip", "/skip/x", "/keep", "/slash", "/dotted", "/lnk"})
        touch(w + d + "/f");
    const Evs want{ev(Kind::create, "", "f"), ev(Kind::create, "a", "f"), ev(Kind::create, "keep", "f"),
                   ev(Kind::create, "dotted", "f")};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_symlink_tree_root_is_walked_when_followed_and_watched_itself_when_not) {
    const std::string w = fresh_dir("symtree");
    make_dir(w + "/real");
    make_dir(w + "/real/sub");
    BOOST_REQUIRE(::symlink("real", (w + "/link").c_str()) == 0);
    Watch t(Kind::create | Kind::attrib, true);
    BOOST_TEST(t.add(w + "/link") == 0);
    BOOST_TEST(t.add(w + "/link", false) == 1);  // -P: the link, alone
    BOOST_TEST(t.w->root(0).info.is_dir);
    BOOST_TEST(!t.w->root(1).info.is_dir);
    touch(w + "/real/sub/f");
    BOOST_REQUIRE(::lchown((w + "/link").c_str(), 0, 0) == 0);  // ATTRIB on the link itself
    BOOST_TEST(t.drain() == (Evs{ev(Kind::create, "sub", "f"), ev(Kind::attrib, "", "", false, 1)}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_root_inside_a_watched_tree_is_that_tree) {
    const std::string w = fresh_dir("nested");
    make_dir(w + "/a");
    make_dir(w + "/a/b");
    Watch t(Kind::create, true);
    BOOST_TEST(t.add(w) == 0);
    BOOST_TEST(t.add(w + "/a") == 0);
    touch(w + "/a/b/f");
    BOOST_TEST(t.drain() == Evs{ev(Kind::create, "a/b", "f")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_new_directory_is_read_as_inotifywait_reads_it) {
    // The listing's own OPEN/ACCESS/CLOSE on the parent's watch, nothing on
    // the new directory's: E43, byte for byte in the tool.
    const std::string w = fresh_dir("selfscan");
    Watch t(kAll, true);
    t.add(w);
    make_dir(w + "/x");
    const Evs want{ev(Kind::create, "", "x", true), ev(Kind::open, "", "x", true), ev(Kind::access, "", "x", true),
                   ev(Kind::close_nowrite, "", "x", true)};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
    touch(w + "/x/f");
    BOOST_TEST(only(t.drain(), Kind::create) == Evs{ev(Kind::create, "x", "f")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(nested_directories_made_while_not_reading_report_every_create_once) {
    const std::string w = fresh_dir("burst");
    Watch t(kAll, true);
    t.add(w);
    make_dir(w + "/a");
    make_dir(w + "/a/b");
    make_dir(w + "/a/b/c");
    touch(w + "/a/b/c/f");
    touch(w + "/a/g");
    Evs want{ev(Kind::create, "", "a", true), ev(Kind::create, "a", "b", true), ev(Kind::create, "a/b", "c", true),
             ev(Kind::create, "a/b/c", "f"), ev(Kind::create, "a", "g")};
    Evs got = only(t.drain(), Kind::create);
    // After a's own CREATE, in the order the listing found them.
    auto by_path = [](const Ev& x, const Ev& y) { return x.dir + '/' + x.name < y.dir + '/' + y.name; };
    BOOST_REQUIRE(got.size() == want.size());
    std::sort(got.begin() + 1, got.end(), by_path);
    std::sort(want.begin() + 1, want.end(), by_path);
    BOOST_TEST(got == want, boost::test_tools::per_element());
    // Every directory is watched, under its path.
    touch(w + "/a/b/c/later");
    BOOST_TEST(only(t.drain(), Kind::create) == Evs{ev(Kind::create, "a/b/c", "later")},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_entry_made_between_watch_and_listing_is_reported_once) {
    const std::string w = fresh_dir("window");
    Watch t(Kind::create | Kind::delete_ | Kind::moved_from | Kind::moved_to, true);
    t.add(w);
    make_dir(w + "/x");
    touch(w + "/x/old");  // before the watch on x: only the listing sees it
    // After the watch on x, before it is read: the kernel and the listing see it.
    // A directory too: its contents must not be listed (and reported) twice.
    g_before_opendir = [&](const std::string& path) {
        if (path != w + "/x/") return;
        touch(w + "/x/raced");
        make_dir(w + "/x/rdir");
        touch(w + "/x/rdir/inner");
    };
    const Evs got = t.drain();
    g_before_opendir = nullptr;
    Evs sorted(got.begin() + 1, got.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const Ev& a, const Ev& b) { return std::tie(a.dir, a.name) < std::tie(b.dir, b.name); });
    BOOST_TEST(got.front() == ev(Kind::create, "", "x", true));
    const Evs want{ev(Kind::create, "x", "old"), ev(Kind::create, "x", "raced"), ev(Kind::create, "x", "rdir", true),
                   ev(Kind::create, "x/rdir", "inner")};
    BOOST_TEST(sorted == want, boost::test_tools::per_element());
    // Later events about a listed name are not mistaken for repeats: a
    // rename over it, a delete and a new creation.
    touch(w + "/x/tmp");
    move(w + "/x/tmp", w + "/x/old");
    BOOST_REQUIRE(::unlink((w + "/x/raced").c_str()) == 0);
    touch(w + "/x/raced");
    const Evs later{ev(Kind::create, "x", "tmp"), ev(Kind::moved_from, "x", "tmp"), ev(Kind::moved_to, "x", "old"),
                    ev(Kind::delete_, "x", "raced"), ev(Kind::create, "x", "raced")};
    BOOST_TEST(t.drain() == later, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_directory_renamed_inside_the_tree_keeps_its_watches_under_the_new_path) {
    const std::string w = fresh_dir("rename");
    make_dir(w + "/a");
    make_dir(w + "/a/b");
    Watch t(kAll, true);
    t.add(w);
    move(w + "/a", w + "/z");
    touch(w + "/z/b/f");
    const Evs want{ev(Kind::moved_from, "", "a", true), ev(Kind::moved_to, "", "z", true),
                   ev(Kind::move_self, "z", ""), ev(Kind::create, "z/b", "f"), ev(Kind::open, "z/b", "f"),
                   ev(Kind::close_write, "z/b", "f")};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_directory_moved_out_stops_reporting_at_once) {
    const std::string w = fresh_dir("out");
    const std::string away = fresh_dir("out_away");
    make_dir(w + "/a");
    make_dir(w + "/a/b");
    Watch t(kAll, true);
    t.add(w);
    move(w + "/a", away + "/a");
    touch(away + "/a/f");
    touch(away + "/a/b/g");
    touch(w + "/h");
    // Its own MOVE_SELF is the rename's (inotifywait and fanotify mode say
    // it too); nothing after it, not even the IGNORED of the dropped watches.
    const Evs want{ev(Kind::moved_from, "", "a", true), ev(Kind::move_self, "a", ""), ev(Kind::create, "", "h"),
                   ev(Kind::open, "", "h"), ev(Kind::close_write, "", "h")};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_move_out_read_last_waits_for_the_next_read) {
    const std::string w = fresh_dir("outlast");
    const std::string away = fresh_dir("outlast_away");
    make_dir(w + "/a");
    make_dir(w + "/a/b");
    Watch t(kMoves, true);
    t.add(w);
    move(w + "/a", away + "/a");
    BOOST_TEST(t.drain() == Evs{ev(Kind::moved_from, "", "a", true)}, boost::test_tools::per_element());
    touch(away + "/a/f");
    touch(away + "/a/b/g");
    touch(w + "/h");
    BOOST_TEST(t.drain() == Evs{ev(Kind::create, "", "h")}, boost::test_tools::per_element());
    // And the subtree's watches are gone from the kernel too: no IGNORED
    // when its directories are deleted.
    BOOST_REQUIRE(::unlink((away + "/a/b/g").c_str()) == 0);
    BOOST_REQUIRE(::rmdir((away + "/a/b").c_str()) == 0);
    BOOST_TEST(t.drain().empty());
}

BOOST_AUTO_TEST_CASE(a_directory_moved_in_is_watched_without_reporting_its_contents) {
    const std::string w = fresh_dir("in");
    const std::string away = fresh_dir("in_away");
    make_dir(away + "/c");
    make_dir(away + "/c/d");
    touch(away + "/c/d/old");
    Watch t(kMoves, true);
    t.add(w);
    move(away + "/c", w + "/c");
    BOOST_TEST(t.drain() == Evs{ev(Kind::moved_to, "", "c", true)}, boost::test_tools::per_element());
    touch(w + "/c/d/f");
    BOOST_TEST(t.drain() == Evs{ev(Kind::create, "c/d", "f")}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rmdir_of_a_subdirectory) {
    const std::string w = fresh_dir("rmdir");
    make_dir(w + "/a");
    Watch t(kAll, true);
    t.add(w);
    BOOST_REQUIRE(::rmdir((w + "/a").c_str()) == 0);
    const Evs want{ev(Kind::delete_self, "a", ""), ev(Kind::ignored, "a", ""), ev(Kind::delete_, "", "a", true)};
    BOOST_TEST(t.drain() == want, boost::test_tools::per_element());
    BOOST_TEST(t.w->root(0).alive);
}

namespace {

// Runs `body` in a child process (so that it may give up root or enter a
// user namespace) and fails the test when it returns a message.
void in_child(const std::function<std::string()>& body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
        std::string why = body();
        if (!why.empty()) std::fprintf(stderr, "child: %s\n", why.c_str());
        ::_exit(why.empty() ? 0 : 1);
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

// The child's side of a new directory that cannot be watched.
std::string unwatched_child(const std::string& w, mode_t y_mode, int expect) {
    WatcherOptions o;
    o.recursive = true;
    InotifyWatcher iw(UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), o);
    if (auto r = iw.add(w, true); !r) return "add: " + r.error().message();
    if (::mkdir((w + "/x").c_str(), 0755) != 0 || ::mkdir((w + "/y").c_str(), y_mode) != 0) return "mkdir";
    std::vector<Event> got;
    if (!iw.read_queued(got)) return "read";
    auto u = iw.take_unwatched();
    if (got.size() < 2 || got[0].name != "x" || got[1].name != "y") return "events";
    if (u.size() != 1) return "unwatched: " + std::to_string(u.size());
    if (u[0].root != 0 || u[0].dir != "y" || u[0].error.value() != expect) 
        return "wrong: " + u[0].dir + " " + u[0].error.message();
    if (&u[0].error.category() != &fswait::inotify_category()) return "category";
    return iw.take_unwatched().empty() ? "" : "said twice";
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_directory_that_cannot_be_read_is_unwatched) {
    const std::string dir = fresh_dir("unreadable");
    BOOST_REQUIRE(::chmod(dir.c_str(), 0777) == 0);
    in_child([&] {
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) return std::string("setuid");
        if (::mkdir((dir + "/w").c_str(), 0755) != 0) return std::string("mkdir w");
        return unwatched_child(dir + "/w", 0, EACCES);
    });
}

BOOST_AUTO_TEST_CASE(a_new_directory_past_the_watch_limit_is_unwatched) {
    const std::string dir = fresh_dir("limit");
    // In a user namespace of its own, the child has a watch limit of its own
    // (E106's trick): two watches, the root's and x's.
    in_child([&] {
        if (::unshare(CLONE_NEWUSER) != 0) return std::string("unshare");
        std::ofstream("/proc/self/uid_map") << "0 0 1\n";
        std::ofstream limit("/proc/sys/user/max_inotify_watches");
        limit << "2\n";
        limit.close();
        if (!limit) return std::string("limit");
        return unwatched_child(dir, 0755, ENOSPC);
    });
}
