// For unit tests that need the real kernel as root: a main() that skips
// (status 77) without root but fails under CI=true, where root is a given;
// a private tmpfs so that no other activity on the machine is seen and
// nothing is left behind; and a way to make the kernel itself refuse
// descriptors (EMFILE).
//
// Include it first, right after defining BOOST_TEST_MODULE: it brings the
// test program's main().
#pragma once

#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "lib/file_handle.hpp"
#include "lib/unique_fd.hpp"

namespace fswait::test {

// Where every test of the process works: a tmpfs mounted on /tmp in a mount
// namespace of this process alone (the host's /tmp is never touched).
inline const std::string kScratch = "/tmp";

inline int kernel_test_main(int argc, char** argv, bool (*init)()) {
    if (::geteuid() != 0) {
        const char* ci = std::getenv("CI");
        if (ci && std::string_view(ci) == "true") {
            std::fputs("needs root (fanotify, open_by_handle_at), and CI=true: failing\n", stderr);
            return 1;
        }
        std::fputs("needs root (fanotify, open_by_handle_at): skipped\n", stderr);
        return 77;
    }
    // Before Boost.Test starts: unshare(CLONE_NEWNS) wants a process whose
    // filesystem context no other thread shares.
    if (::unshare(CLONE_NEWNS) < 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0 ||
        ::mount("tmpfs", kScratch.c_str(), "tmpfs", 0, "size=64m,mode=0755") < 0) {
        std::perror("private tmpfs on /tmp");
        return 1;
    }
    return boost::unit_test::unit_test_main(init, argc, argv);
}

// A fresh directory on the private tmpfs (created, never reused).
inline std::string fresh_dir(const std::string& name) {
    std::string path = kScratch + "/" + name;
    BOOST_REQUIRE_MESSAGE(::mkdir(path.c_str(), 0755) == 0, "mkdir " << path);
    return path;
}

inline FileHandle handle_of(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_PATH | O_CLOEXEC));
    BOOST_REQUIRE(fd);
    auto h = handle_of_fd(fd.get());
    BOOST_REQUIRE(h.ok());
    return *h;
}

// While alive, every descriptor number the process may use is taken, so
// that the next open() fails with a real EMFILE from the kernel.
class FdTableFull {
public:
    FdTableFull() {
        BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
        rlimit low = saved_;
        low.rlim_cur = 256;  // above every descriptor a unit test holds
        BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
        for (;;) {
            int fd = ::fcntl(0, F_DUPFD_CLOEXEC, 0);
            if (fd < 0) fd = ::open("/", O_PATH | O_CLOEXEC);
            if (fd < 0) break;
            fillers_.emplace_back(fd);
        }
        errno_ = errno;
    }
    ~FdTableFull() {
        fillers_.clear();
        ::setrlimit(RLIMIT_NOFILE, &saved_);
    }
    FdTableFull(const FdTableFull&) = delete;
    FdTableFull& operator=(const FdTableFull&) = delete;

    // What the last attempt to take one more descriptor failed with.
    int error() const { return errno_; }

private:
    rlimit saved_{};
    std::vector<UniqueFd> fillers_;
    int errno_ = 0;
};

}  // namespace fswait::test

int main(int argc, char** argv) { return fswait::test::kernel_test_main(argc, argv, &init_unit_test); }
