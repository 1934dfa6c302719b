#define BOOST_TEST_MODULE file_handle
#include "tests/unit/kernel_test.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "lib/file_handle.hpp"
#include "lib/unique_fd.hpp"
#include "tests/unit/scripted_sys.hpp"

using fswait::FdReserve;
using fswait::FileHandle;
using fswait::out_of_fds;
using fswait::UniqueFd;
using fswait::test::FdTableFull;
using fswait::test::fresh_dir;
using fswait::test::handle_of;
using fswait::test::kScratch;
using fswait::test::ScriptedSys;

namespace {

std::error_code code(int e) { return {e, std::generic_category()}; }

// open_by_handle_at wants a real (not O_PATH) fd on the filesystem.
UniqueFd mount_fd() {
    UniqueFd fd(::open(kScratch.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    BOOST_REQUIRE(fd);
    return fd;
}

ino_t inode_of_fd(int fd) {
    struct stat st;
    BOOST_REQUIRE(::fstat(fd, &st) == 0);
    return st.st_ino;
}

ino_t inode_of(const std::string& path) {
    struct stat st;
    BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_ino;
}

}  // namespace

BOOST_AUTO_TEST_CASE(out_of_fds_means_emfile_or_enfile_only) {
    BOOST_TEST(out_of_fds(code(EMFILE)));
    BOOST_TEST(out_of_fds(code(ENFILE)));
    BOOST_TEST(!out_of_fds(code(ESTALE)));
    BOOST_TEST(!out_of_fds(code(ENOENT)));
    BOOST_TEST(!out_of_fds(std::error_code()));
    BOOST_TEST(!out_of_fds(std::error_code(EMFILE, std::system_category())));
}

BOOST_AUTO_TEST_CASE(the_real_call_opens_the_directory_the_handle_names) {
    const std::string dir = fresh_dir("real");
    auto mfd = mount_fd();
    ScriptedSys sys;
    auto fd = fswait::open_handle(mfd.get(), handle_of(dir), O_PATH, sys);
    BOOST_REQUIRE(fd.ok());
    BOOST_TEST(inode_of_fd(fd->get()) == inode_of(dir));
    BOOST_TEST(sys.opens.calls == 1);
    BOOST_TEST(sys.open_mount_fds.at(0) == mfd.get());
    // Descriptors never leak into programs fswait does not run, but must
    // be asked for on every open.
    BOOST_TEST(sys.open_flags.at(0) == (O_PATH | O_CLOEXEC));
    BOOST_TEST((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
}

BOOST_AUTO_TEST_CASE(emfile_enfile_and_estale_come_back_as_they_are_and_are_not_retried) {
    const std::string dir = fresh_dir("faults");
    const FileHandle h = handle_of(dir);
    auto mfd = mount_fd();
    for (int e : {EMFILE, ENFILE, ESTALE, EIO}) {
        ScriptedSys sys;
        sys.opens.next = {e};
        auto fd = fswait::open_handle(mfd.get(), h, O_PATH, sys);
        BOOST_TEST(!fd.ok());
        BOOST_TEST(fd.error() == code(e));
        BOOST_TEST(out_of_fds(fd.error()) == (e == EMFILE || e == ENFILE));
        // Deciding what a failure means is the caller's job: one call only.
        BOOST_TEST(sys.opens.calls == 1);
        // The next call is the real one and works: nothing was consumed.
        auto again = fswait::open_handle(mfd.get(), h, O_PATH, sys);
        BOOST_REQUIRE(again.ok());
        BOOST_TEST(inode_of_fd(again->get()) == inode_of(dir));
    }
}

BOOST_AUTO_TEST_CASE(a_removed_directory_gives_a_real_estale) {
    const std::string dir = fresh_dir("removed");
    const FileHandle h = handle_of(dir);
    BOOST_REQUIRE(::rmdir(dir.c_str()) == 0);
    auto mfd = mount_fd();
    auto fd = fswait::open_handle(mfd.get(), h, O_PATH);
    BOOST_TEST(!fd.ok());
    BOOST_TEST(fd.error() == code(ESTALE));
    BOOST_TEST(!out_of_fds(fd.error()));
}

BOOST_AUTO_TEST_CASE(a_full_descriptor_table_gives_a_real_emfile) {
    const std::string dir = fresh_dir("full");
    const FileHandle h = handle_of(dir);
    auto mfd = mount_fd();
    FdTableFull full;
    BOOST_TEST(full.error() == EMFILE);
    auto fd = fswait::open_handle(mfd.get(), h, O_PATH);
    BOOST_TEST(!fd.ok());
    BOOST_TEST(fd.error() == code(EMFILE));
    BOOST_TEST(out_of_fds(fd.error()));
}

BOOST_AUTO_TEST_CASE(the_reserve_lends_its_descriptors_for_one_attempt_and_takes_them_back) {
    const std::string dir = fresh_dir("reserve");
    const FileHandle h = handle_of(dir);
    auto mfd = mount_fd();
    FdReserve reserve;
    reserve.fill();
    BOOST_TEST(reserve.size() == FdReserve::kSize);
    FdTableFull full;
    BOOST_REQUIRE(!fswait::open_handle(mfd.get(), h, O_PATH).ok());
    // A mount fd, the directory and its parent: what resolving one level needs.
    int opened = 0;
    auto ec = reserve.lend([&]() -> std::error_code {
        UniqueFd m(::open(kScratch.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!m) return fswait::errno_code();
        auto d = fswait::open_handle(m.get(), h, O_PATH);
        if (!d) return d.error();
        UniqueFd parent(::openat(d->get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!parent) return fswait::errno_code();
        opened = 3;
        return {};
    });
    BOOST_TEST(!ec);
    BOOST_TEST(opened == 3);
    // Closed again inside the attempt, so the reserve is whole again.
    BOOST_TEST(reserve.size() == FdReserve::kSize);
    BOOST_TEST(!fswait::open_handle(mfd.get(), h, O_PATH).ok());
}

BOOST_AUTO_TEST_CASE(a_reserve_the_system_could_only_partly_refill_is_topped_up_later) {
    FdReserve reserve;
    {
        FdTableFull full;
        reserve.fill();
        BOOST_TEST(reserve.size() == 0u);
    }
    reserve.fill();
    BOOST_TEST(reserve.size() == FdReserve::kSize);
    reserve.fill();
    BOOST_TEST(reserve.size() == FdReserve::kSize);
}
