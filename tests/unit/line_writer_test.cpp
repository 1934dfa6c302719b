#define BOOST_TEST_MODULE line_writer
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include "lib/line_writer.hpp"
#include "lib/sys.hpp"

using fswait::LineWriter;

namespace {

// What the fake does on one write() call.
struct Step {
    int err = 0;                              // != 0: fail with this errno
    std::size_t max = static_cast<std::size_t>(-1);  // otherwise accept at most this many bytes
};

Step fail(int e) { return Step{e, 0}; }
Step accept(std::size_t n) { return Step{0, n}; }

class FakeSys : public fswait::Sys {
public:
    std::deque<Step> writes;       // consumed one per write(); when empty, accept everything
    std::deque<int> waits;         // errno per wait_writable(); 0 or empty = success
    std::string received;          // the bytes "written", in order
    std::vector<std::size_t> asked;  // n of every write() call
    std::vector<int> fds;          // fd of every call
    std::string trace;             // 'w' per write, 'p' per wait_writable
    int write_calls = 0;
    int wait_calls = 0;

    ssize_t write(int fd, const void* buf, std::size_t n) override {
        ++write_calls;
        fds.push_back(fd);
        asked.push_back(n);
        trace += 'w';
        if (write_calls > 1000) {  // a retry loop that never ends: stop it
            errno = EDEADLK;
            return -1;
        }
        Step s;
        if (!writes.empty()) {
            s = writes.front();
            writes.pop_front();
        }
        if (s.err != 0) {
            errno = s.err;
            return -1;
        }
        std::size_t k = n < s.max ? n : s.max;
        received.append(static_cast<const char*>(buf), k);
        errno = 0;
        return static_cast<ssize_t>(k);
    }

    // A regular file's tail taken back: the bytes leave `received`.
    std::vector<std::size_t> undone;
    int undo_append(int fd, std::size_t n) override {
        fds.push_back(fd);
        undone.push_back(n);
        received.resize(received.size() - n);
        return 0;
    }

    int wait_writable(int fd) override {
        ++wait_calls;
        fds.push_back(fd);
        trace += 'p';
        int e = 0;
        if (!waits.empty()) {
            e = waits.front();
            waits.pop_front();
        }
        if (e != 0) {
            errno = e;
            return -1;
        }
        return 1;
    }
};

std::error_code code(int e) { return {e, std::generic_category()}; }

const std::string kLine = "/watched/dir/ CLOSE_WRITE,CLOSE file name.txt\n";

}  // namespace

BOOST_AUTO_TEST_CASE(whole_line_in_one_write) {
    FakeSys sys;
    LineWriter w(7, sys);
    BOOST_TEST(w.fd() == 7);
    auto st = w.write(kLine);
    BOOST_TEST(st.ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.write_calls == 1);
    BOOST_TEST(sys.wait_calls == 0);
    BOOST_TEST(sys.asked == std::vector<std::size_t>{kLine.size()}, boost::test_tools::per_element());
    BOOST_TEST(sys.fds == std::vector<int>{7}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(empty_write_makes_no_syscall) {
    FakeSys sys;
    LineWriter w(1, sys);
    BOOST_TEST(w.write("").ok());
    BOOST_TEST(sys.write_calls == 0);
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(bytes_with_nul_and_high_bytes_are_written_verbatim) {
    const std::string raw("a\0b\xff\n", 5);
    FakeSys sys;
    LineWriter w(1, sys);
    BOOST_TEST(w.write(raw).ok());
    BOOST_TEST(sys.received.size() == 5u);
    BOOST_TEST(sys.received == raw);
}

BOOST_AUTO_TEST_CASE(eintr_is_retried_and_bytes_written_once) {
    FakeSys sys;
    sys.writes = {fail(EINTR)};
    LineWriter w(3, sys);
    auto st = w.write(kLine);
    BOOST_TEST(st.ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.write_calls == 2);
    BOOST_TEST(sys.wait_calls == 0);
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{kLine.size(), kLine.size()}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(repeated_eintr) {
    FakeSys sys;
    sys.writes = {fail(EINTR), fail(EINTR), fail(EINTR)};
    LineWriter w(3, sys);
    BOOST_TEST(w.write(kLine).ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.write_calls == 4);
    BOOST_TEST(sys.trace == "wwww");
}

BOOST_AUTO_TEST_CASE(short_writes_are_finished_without_duplicates) {
    const std::string line = "0123456789abcdefghij\n";  // 21 bytes
    FakeSys sys;
    sys.writes = {accept(3), accept(1), accept(10)};  // then the remaining 7
    LineWriter w(4, sys);
    BOOST_TEST(w.write(line).ok());
    BOOST_TEST(sys.received == line);
    BOOST_TEST(sys.received.size() == 21u);
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{21, 18, 17, 7}), boost::test_tools::per_element());
    BOOST_TEST(sys.write_calls == 4);
}

BOOST_AUTO_TEST_CASE(one_byte_at_a_time) {
    FakeSys sys;
    for (std::size_t i = 0; i < kLine.size(); ++i) sys.writes.push_back(accept(1));
    LineWriter w(4, sys);
    BOOST_TEST(w.write(kLine).ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.write_calls == static_cast<int>(kLine.size()));
    BOOST_TEST(sys.asked.back() == 1u);
}

BOOST_AUTO_TEST_CASE(short_write_then_eintr_then_rest) {
    const std::string line = "abcdefgh\n";
    FakeSys sys;
    sys.writes = {accept(2), fail(EINTR), accept(3)};
    LineWriter w(4, sys);
    BOOST_TEST(w.write(line).ok());
    BOOST_TEST(sys.received == line);
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{9, 7, 7, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(eagain_waits_for_writability_then_completes) {
    FakeSys sys;
    sys.writes = {fail(EAGAIN)};
    LineWriter w(5, sys);
    BOOST_TEST(w.write(kLine).ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.trace == "wpw");
    BOOST_TEST(sys.wait_calls == 1);
    BOOST_TEST(sys.fds == (std::vector<int>{5, 5, 5}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(eagain_after_a_short_write) {
    const std::string line = "0123456789\n";
    FakeSys sys;
    sys.writes = {accept(4), fail(EAGAIN), fail(EAGAIN), accept(2)};
    LineWriter w(5, sys);
    BOOST_TEST(w.write(line).ok());
    BOOST_TEST(sys.received == line);
    BOOST_TEST(sys.trace == "wwpwpww");
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{11, 7, 7, 7, 5}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(eintr_in_wait_writable_is_retried) {
    FakeSys sys;
    sys.writes = {fail(EAGAIN)};
    sys.waits = {EINTR};
    LineWriter w(5, sys);
    BOOST_TEST(w.write(kLine).ok());
    BOOST_TEST(sys.received == kLine);
    BOOST_TEST(sys.trace.front() == 'w');
    BOOST_TEST(sys.trace.back() == 'w');
    BOOST_TEST(sys.trace.find('p') != std::string::npos);
    BOOST_TEST(sys.write_calls == 2);
}

BOOST_AUTO_TEST_CASE(wait_writable_failure_is_returned) {
    FakeSys sys;
    sys.writes = {fail(EAGAIN)};
    sys.waits = {EBADF};
    LineWriter w(5, sys);
    auto st = w.write(kLine);
    BOOST_TEST(!st.ok());
    BOOST_TEST(st.error() == code(EBADF));
    BOOST_TEST(sys.trace == "wp");
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(enospc_is_returned_without_retry) {
    FakeSys sys;
    sys.writes = {fail(ENOSPC)};
    LineWriter w(6, sys);
    auto st = w.write(kLine);
    BOOST_TEST(!st.ok());
    BOOST_TEST(st.error() == code(ENOSPC));
    BOOST_TEST((st.error() == std::errc::no_space_on_device));
    BOOST_TEST(sys.write_calls == 1);
    BOOST_TEST(sys.wait_calls == 0);
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(eio_is_returned_without_retry) {
    FakeSys sys;
    sys.writes = {fail(EIO)};
    LineWriter w(6, sys);
    auto st = w.write(kLine);
    BOOST_TEST(!st.ok());
    BOOST_TEST(st.error() == code(EIO));
    BOOST_TEST(sys.write_calls == 1);
    BOOST_TEST(sys.wait_calls == 0);
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(epipe_is_returned) {
    FakeSys sys;
    sys.writes = {fail(EPIPE)};
    LineWriter w(6, sys);
    auto st = w.write(kLine);
    BOOST_TEST(!st.ok());
    BOOST_TEST(st.error() == code(EPIPE));
    BOOST_TEST((st.error() == std::errc::broken_pipe));
    BOOST_TEST(sys.write_calls == 1);
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(error_after_a_short_write_takes_the_part_back) {
    const std::string line = "0123456789\n";
    FakeSys sys;
    sys.writes = {accept(4), accept(3), fail(ENOSPC), accept(100)};
    LineWriter w(6, sys);
    auto st = w.write(line);
    BOOST_TEST(st.error() == code(ENOSPC));
    BOOST_TEST(sys.received == "");
    BOOST_TEST(sys.undone == std::vector<std::size_t>{7}, boost::test_tools::per_element());
    BOOST_TEST(sys.write_calls == 3);
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{11, 7, 4}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_error_before_any_byte_takes_nothing_back) {
    FakeSys sys;
    sys.writes = {fail(EIO)};
    LineWriter w(6, sys);
    BOOST_TEST(w.write(kLine).error() == code(EIO));
    BOOST_TEST(sys.undone.empty());
}

// The real thing on a full tmpfs is tested end to end (tests/cli,
// log_full_disk_*); here: a regular file's tail really goes.
BOOST_AUTO_TEST_CASE(undo_append_truncates_a_regular_file_only) {
    std::FILE* f = std::tmpfile();
    BOOST_REQUIRE(f);
    int fd = fileno(f);
    BOOST_REQUIRE(::write(fd, "whole\npart", 11) == 11);
    BOOST_TEST(fswait::real_sys().undo_append(fd, 4) == 0);
    struct stat st;
    BOOST_REQUIRE(::fstat(fd, &st) == 0);
    BOOST_TEST(st.st_size == 7);
    std::fclose(f);
    int p[2];
    BOOST_REQUIRE(::pipe(p) == 0);
    BOOST_TEST(fswait::real_sys().undo_append(p[1], 1) == -1);
    BOOST_TEST(errno == ESPIPE);
    ::close(p[0]);
    ::close(p[1]);
}

BOOST_AUTO_TEST_CASE(error_after_eintr_is_returned) {
    FakeSys sys;
    sys.writes = {fail(EINTR), fail(EIO)};
    LineWriter w(6, sys);
    auto st = w.write(kLine);
    BOOST_TEST(st.error() == code(EIO));
    BOOST_TEST(sys.write_calls == 2);
    BOOST_TEST(sys.received.empty());
}

BOOST_AUTO_TEST_CASE(consecutive_lines_are_not_merged_or_reordered) {
    FakeSys sys;
    sys.writes = {accept(5), fail(EINTR)};
    LineWriter w(2, sys);
    BOOST_TEST(w.write("first line\n").ok());
    BOOST_TEST(w.write("second\n").ok());
    BOOST_TEST(sys.received == "first line\nsecond\n");
    BOOST_TEST(sys.asked == (std::vector<std::size_t>{11, 6, 6, 7}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(real_nonblocking_pipe_with_a_slow_reader) {
    // Real syscalls: a payload far larger than the pipe buffer on a
    // non-blocking pipe goes through EAGAIN + poll() until it is all written.
    int fds[2];
    BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
    std::string payload;
    for (int i = 0; payload.size() < 512 * 1024; ++i) payload += "line " + std::to_string(i) + "\n";
    // Only the write end stays non-blocking (O_NONBLOCK is per open file).
    int flags = ::fcntl(fds[0], F_GETFL);
    BOOST_REQUIRE(::fcntl(fds[0], F_SETFL, flags & ~O_NONBLOCK) == 0);
    BOOST_REQUIRE((::fcntl(fds[1], F_GETFL) & O_NONBLOCK) != 0);
    std::string got;
    std::thread reader([&] {
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            got.append(buf, static_cast<std::size_t>(n));
        }
    });
    LineWriter w(fds[1]);
    auto st = w.write(payload);
    ::close(fds[1]);
    reader.join();
    ::close(fds[0]);
    BOOST_TEST(st.ok());
    BOOST_TEST(got.size() == payload.size());
    BOOST_TEST((got == payload));
}

BOOST_AUTO_TEST_CASE(write_returning_zero_does_not_spin_forever) {
    // write(2) may return 0 for a non-empty buffer (e.g. a FUSE filesystem
    // that accepts nothing). Retrying that is an endless busy loop: no byte
    // will ever be written. It must come back as an error after a bounded
    // number of calls (coreutils' full_write reports it as ENOSPC).
    FakeSys sys;
    for (int i = 0; i < 2000; ++i) sys.writes.push_back(accept(0));
    LineWriter w(6, sys);
    auto st = w.write(kLine);
    BOOST_TEST(!st.ok());
    BOOST_TEST(sys.write_calls <= 3);
    // EDEADLK is only the fake's emergency stop after 1000 calls.
    BOOST_TEST(st.error() != code(EDEADLK));
    BOOST_TEST(sys.received.empty());
}

// Fault injection at every position of a line (issue 7): the outcome must
// not depend on where in the line the kernel interrupted or gave up.

BOOST_AUTO_TEST_CASE(eintr_before_every_write_for_every_chunk_size) {
    for (std::size_t k = 1; k <= kLine.size(); ++k) {
        BOOST_TEST_CONTEXT("chunk " << k) {
            FakeSys sys;
            const std::size_t chunks = (kLine.size() + k - 1) / k;
            for (std::size_t i = 0; i < chunks; ++i) {
                sys.writes.push_back(fail(EINTR));
                sys.writes.push_back(accept(k));
            }
            LineWriter w(3, sys);
            BOOST_TEST(w.write(kLine).ok());
            BOOST_TEST(sys.received == kLine);
            BOOST_TEST(sys.write_calls == static_cast<int>(2 * chunks));
            BOOST_TEST(sys.wait_calls == 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_short_write_of_every_size_is_finished_and_the_next_line_follows) {
    for (std::size_t k = 1; k < kLine.size(); ++k) {
        BOOST_TEST_CONTEXT("first write took " << k) {
            FakeSys sys;
            sys.writes = {accept(k)};
            LineWriter w(3, sys);
            BOOST_TEST(w.write(kLine).ok());
            BOOST_TEST(w.write("next\n").ok());
            BOOST_TEST(sys.received == kLine + "next\n");
            BOOST_TEST(sys.asked == (std::vector<std::size_t>{kLine.size(), kLine.size() - k, 5}),
                       boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(eagain_before_every_write_waits_each_time) {
    const std::string line = "0123456789\n";
    FakeSys sys;
    for (int i = 0; i < 4; ++i) {
        sys.writes.push_back(fail(EAGAIN));
        sys.writes.push_back(accept(3));
    }
    LineWriter w(5, sys);
    BOOST_TEST(w.write(line).ok());
    BOOST_TEST(sys.received == line);
    BOOST_TEST(sys.trace == "wpwwpwwpwwpw");
    BOOST_TEST(sys.wait_calls == 4);
}

namespace {

// Real writes to a real file until the "disk" holds `budget` more bytes;
// then every write fails with `err` (0: returns 0, as a device that takes
// nothing). undo_append is the real one.
class BudgetSys : public fswait::Sys {
public:
    explicit BudgetSys(std::size_t budget, int err = ENOSPC) : budget_(budget), err_(err) {}
    void free_space(std::size_t n) { budget_ += n; }
    int write_calls = 0;

    ssize_t write(int fd, const void* buf, std::size_t n) override {
        if (++write_calls > 1000) {  // a retry loop that never ends: stop it
            errno = EDEADLK;
            return -1;
        }
        if (budget_ == 0) {
            if (err_ == 0) return 0;
            errno = err_;
            return -1;
        }
        ssize_t r = Sys::write(fd, buf, n < budget_ ? n : budget_);
        if (r > 0) budget_ -= static_cast<std::size_t>(r);
        return r;
    }

private:
    std::size_t budget_;
    int err_;
};

// A log as fswait opens it for -o: O_APPEND; unlinked at once.
struct AppendLog {
    int fd = -1;
    AppendLog() {
        char path[] = "/tmp/fswait-line-writer-XXXXXX";
        fd = ::mkstemp(path);
        BOOST_REQUIRE(fd >= 0);
        ::unlink(path);
        BOOST_REQUIRE(::fcntl(fd, F_SETFL, O_APPEND) == 0);
        BOOST_REQUIRE(::write(fd, "first line\n", 11) == 11);
    }
    ~AppendLog() { ::close(fd); }
    std::string contents() const {
        struct stat st;
        BOOST_REQUIRE(::fstat(fd, &st) == 0);
        std::string s(static_cast<std::size_t>(st.st_size), '\0');
        BOOST_REQUIRE(::pread(fd, s.data(), s.size(), 0) == static_cast<ssize_t>(s.size()));
        return s;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(enospc_at_every_point_of_a_line_leaves_only_whole_lines_and_writing_resumes) {
    for (std::size_t cut = 1; cut < kLine.size(); ++cut) {
        BOOST_TEST_CONTEXT("disk full after " << cut << " bytes") {
            AppendLog log;
            BudgetSys sys(cut);
            LineWriter w(log.fd, sys);
            auto st = w.write(kLine);
            BOOST_TEST(st.error() == code(ENOSPC));
            BOOST_TEST(log.contents() == "first line\n");
            // Space again: the next line goes in whole, right after.
            sys.free_space(1000);
            BOOST_TEST(w.write("third\n").ok());
            BOOST_TEST(log.contents() == "first line\nthird\n");
        }
    }
}

BOOST_AUTO_TEST_CASE(eio_mid_line_is_returned_at_once_and_the_part_taken_back) {
    AppendLog log;
    BudgetSys sys(10, EIO);
    LineWriter w(log.fd, sys);
    auto st = w.write(kLine);
    BOOST_TEST(st.error() == code(EIO));
    BOOST_TEST(sys.write_calls == 2);  // 10 bytes, then EIO: no retry
    BOOST_TEST(log.contents() == "first line\n");
}

BOOST_AUTO_TEST_CASE(write_returning_zero_mid_line_is_a_full_disk) {
    AppendLog log;
    BudgetSys sys(7, 0);
    LineWriter w(log.fd, sys);
    auto st = w.write(kLine);
    BOOST_TEST(st.error() == code(ENOSPC));
    BOOST_TEST(sys.write_calls == 2);
    BOOST_TEST(log.contents() == "first line\n");
}

BOOST_AUTO_TEST_CASE(a_pipe_cannot_take_a_part_back_and_the_write_error_is_kept) {
    int p[2];
    BOOST_REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    BudgetSys sys(5, ENOSPC);
    LineWriter w(p[1], sys);
    auto st = w.write(kLine);
    // Not undo_append's ESPIPE: the caller must learn why the line failed.
    BOOST_TEST(st.error() == code(ENOSPC));
    char buf[64];
    BOOST_TEST(::read(p[0], buf, sizeof buf) == 5);
    ::close(p[0]);
    ::close(p[1]);
}
