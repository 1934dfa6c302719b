// Naming a subdirectory of a watched directory (non-recursive mode) when
// its handle cannot be opened: gone (ESTALE) or no descriptor left (EMFILE).
#define BOOST_TEST_MODULE child_dirs
#include "tests/unit/kernel_test.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "lib/child_dirs.hpp"
#include "lib/file_handle.hpp"
#include "lib/root_table.hpp"
#include "tests/unit/scripted_sys.hpp"

using fswait::ChildDirs;
using fswait::FileHandle;
using fswait::HandleView;
using fswait::test::FdTableFull;
using fswait::test::fresh_dir;
using fswait::test::handle_of;
using fswait::test::kScratch;
using fswait::test::ScriptedSys;

namespace {

// A watched directory w/, seeded while empty, then given the subdirectory
// w/sub: only a lookup through its handle can name it.
struct Watched {
    std::string dir;
    fswait::RootTable roots;
    ScriptedSys sys;
    ChildDirs children{roots, sys};

    explicit Watched(const std::string& name) : dir(fresh_dir(name)) {
        fswait::Root r;
        r.path = dir;
        auto info = fswait::identify(dir, true);
        BOOST_REQUIRE(info.ok());
        r.info = *info;
        r.mount_dir = kScratch;
        roots.add(std::move(r));
        fswait::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        BOOST_REQUIRE(fd);
        children.seed(0, fd.get());
        BOOST_REQUIRE(::mkdir((dir + "/sub").c_str(), 0755) == 0);
    }

    ChildDirs::Parents lookup(const FileHandle& h) {
        return children.lookup(HandleView{h.fsid, h.type, h.bytes});
    }
};

const ChildDirs::Parents kInRoot{{0, "sub"}};

}  // namespace

BOOST_AUTO_TEST_CASE(a_new_subdirectory_is_named_through_its_handle) {
    Watched w("plain");
    BOOST_TEST((w.lookup(handle_of(w.dir + "/sub")) == kInRoot));
    BOOST_TEST(w.children.no_fds() == 0u);
}

BOOST_AUTO_TEST_CASE(emfile_once_is_retried_with_the_reserve) {
    Watched w("emfile");
    w.sys.opens.next = {EMFILE};
    BOOST_TEST((w.lookup(handle_of(w.dir + "/sub")) == kInRoot));
    BOOST_TEST(w.children.no_fds() == 1u);
    BOOST_TEST(w.children.no_fds_lost() == 0u);
    BOOST_TEST(w.sys.opens.calls == 2);
}

BOOST_AUTO_TEST_CASE(emfile_twice_finds_nothing_now_and_remembers_nothing) {
    Watched w("emfile_twice");
    const FileHandle sub = handle_of(w.dir + "/sub");
    w.sys.opens.next = {ENFILE, EMFILE};
    BOOST_TEST(w.lookup(sub).empty());
    BOOST_TEST(w.children.no_fds() == 1u);
    BOOST_TEST(w.children.no_fds_lost() == 1u);
    // Its next event asks again, and is reported.
    BOOST_TEST((w.lookup(sub) == kInRoot));
    BOOST_TEST(w.sys.opens.calls == 3);
}

BOOST_AUTO_TEST_CASE(estale_is_remembered_as_holding_nothing) {
    Watched w("estale");
    const FileHandle sub = handle_of(w.dir + "/sub");
    w.sys.opens.next = {ESTALE};
    BOOST_TEST(w.lookup(sub).empty());
    BOOST_TEST(w.lookup(sub).empty());
    BOOST_TEST(w.sys.opens.calls == 1);
    BOOST_TEST(w.children.no_fds() == 0u);
}

BOOST_AUTO_TEST_CASE(a_really_removed_subdirectory_names_nothing) {
    Watched w("removed");
    const FileHandle sub = handle_of(w.dir + "/sub");
    BOOST_REQUIRE(::rmdir((w.dir + "/sub").c_str()) == 0);
    BOOST_TEST(w.lookup(sub).empty());
    BOOST_TEST(w.children.no_fds() == 0u);
}

BOOST_AUTO_TEST_CASE(a_really_full_descriptor_table_still_names_it) {
    Watched w("full");
    const FileHandle sub = handle_of(w.dir + "/sub");
    // The reserve is taken at the first lookup the table cannot answer.
    BOOST_TEST(w.lookup(handle_of(fresh_dir("full_other"))).empty());
    ChildDirs::Parents found;
    {
        FdTableFull full;
        BOOST_REQUIRE(full.error() == EMFILE);
        found = w.lookup(sub);
    }
    BOOST_TEST((found == kInRoot));
    BOOST_TEST(w.children.no_fds() == 1u);
    BOOST_TEST(w.children.no_fds_lost() == 0u);
}

BOOST_AUTO_TEST_CASE(emfile_on_a_directory_outside_names_nothing) {
    Watched w("outside");
    const std::string other = fresh_dir("outside_other");
    w.sys.opens.next = {EMFILE};
    BOOST_TEST(w.lookup(handle_of(other)).empty());
    BOOST_TEST(w.children.no_fds() == 1u);
}
