#define BOOST_TEST_MODULE async_writer
#include <boost/test/unit_test.hpp>

#include <poll.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "lib/async_writer.hpp"
#include "lib/sys.hpp"

using fswait::AsyncWriter;
using fswait::UniqueFd;
using namespace std::chrono_literals;

namespace {

// A write(2) that fails with scripted errors and can be held, as a reader
// that stopped reading holds it. Called from the writer's thread.
class FakeSys : public fswait::Sys {
public:
    ssize_t write(int fd, const void*, std::size_t n) override {
        std::unique_lock lock(m_);
        ++calls_;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !held_; });
        int err = 0;
        std::size_t accept = n;
        if (!script_.empty()) {
            std::tie(err, accept) = script_.front();
            script_.pop_front();
        }
        if (err) {
            errno = err;
            return -1;
        }
        accept = std::min(accept, n);
        return record(fd, accept);
    }
    int undo_append(int, std::size_t) override {
        errno = ESPIPE;
        return -1;
    }

    // The next writes: fail with err (non-zero), or accept at most `accept` bytes.
    void then(int err, std::size_t accept = static_cast<std::size_t>(-1)) {
        std::lock_guard lock(m_);
        script_.emplace_back(err, accept);
    }
    void hold(bool on) {
        std::lock_guard lock(m_);
        held_ = on;
        changed_.notify_all();
    }
    // Waits until write() was entered `n` times in all.
    void wait_calls(int n) {
        std::unique_lock lock(m_);
        changed_.wait_for(lock, 10s, [&] { return calls_ >= n; });
    }
    std::vector<std::string> lines_to(int fd) {
        std::lock_guard lock(m_);
        std::vector<std::string> v;
        for (auto& [f, line] : writes_)
            if (f == fd) v.push_back(line);
        return v;
    }
    int calls() {
        std::lock_guard lock(m_);
        return calls_;
    }
private:
    ssize_t record(int fd, std::size_t n) {
        writes_.emplace_back(fd, std::to_string(n));
        return static_cast<ssize_t>(n);
    }
    std::mutex m_;
    std::condition_variable changed_;
    std::deque<std::pair<int, std::size_t>> script_;
    std::vector<std::pair<int, std::string>> writes_;
    bool held_ = false;
    int calls_ = 0;
};

UniqueFd fd_number(int n) { return UniqueFd(::dup2(STDERR_FILENO, n)); }

bool readable(int fd, int wait_ms = 5000) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, wait_ms) == 1;
}

bool readable_now(int fd) { return readable(fd, 0); }

}  // namespace

// The fake records each write's length: "5" is one write of 5 bytes.
BOOST_AUTO_TEST_CASE(lines_are_written_in_order_one_write_each) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    BOOST_REQUIRE(w.start());
    for (const char* l : {"a\n", "bb\n", "ccc\n"}) w.push(l);
    BOOST_TEST(w.drain(5s));
    BOOST_TEST(sys.lines_to(40) == (std::vector<std::string>{"2", "3", "4"}));
    BOOST_TEST(w.stats().lines_written == 3u);
    BOOST_TEST(w.stats().lines_lost == 0u);
    BOOST_TEST(w.stats().peak_bytes >= 2u);
}

BOOST_AUTO_TEST_CASE(eintr_and_short_writes_finish_each_line_once) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    sys.then(EINTR);
    sys.then(0, 1);
    sys.then(EAGAIN);  // LineWriter waits until writable (real poll on fd 40: stderr) and goes on
    sys.then(0, 2);
    BOOST_REQUIRE(w.start());
    w.push("hello\n");
    w.push("x\n");
    BOOST_TEST(w.drain(5s));
    // "hello\n" took three writes (1 + 2 + 3 bytes), "x\n" one: nothing written twice.
    BOOST_TEST(sys.calls() == 6);
    BOOST_TEST(w.stats().lines_written == 2u);
    BOOST_TEST(w.stats().lines_lost == 0u);
}

BOOST_AUTO_TEST_CASE(a_full_queue_says_so_and_then_says_room) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 10, sys);
    sys.hold(true);
    BOOST_REQUIRE(w.start());
    w.push("0123\n");
    sys.wait_calls(1);  // the thread holds the first line, blocked in write
    BOOST_TEST(w.has_room());
    w.push("5678\n");
    BOOST_TEST(!w.has_room());  // 10 bytes queued: the loop stops reading events
    BOOST_TEST(!readable_now(w.event_fd()));
    sys.hold(false);
    BOOST_TEST(readable(w.event_fd()));
    auto news = w.take_news();
    BOOST_TEST(news.room);
    BOOST_TEST(!news.error);
    BOOST_TEST(w.drain(5s));
    BOOST_TEST(w.has_room());
}

BOOST_AUTO_TEST_CASE(drain_gives_up_when_the_reader_stopped_reading) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    sys.hold(true);
    BOOST_REQUIRE(w.start());
    w.push("stuck\n");
    sys.wait_calls(1);
    BOOST_TEST(!w.drain(50ms));
    sys.hold(false);
    BOOST_TEST(w.drain(5s));
    BOOST_TEST(w.stats().lines_written == 1u);
}

BOOST_AUTO_TEST_CASE(epipe_is_news_once_and_nothing_more_is_written) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    sys.then(EPIPE);
    BOOST_REQUIRE(w.start());
    for (int i = 0; i < 5; ++i) w.push("line\n");
    BOOST_TEST(w.drain(5s));
    BOOST_TEST(readable(w.event_fd()));
    auto news = w.take_news();
    BOOST_TEST(news.error.value() == EPIPE);
    BOOST_TEST(sys.calls() == 1);  // the reader is gone: no write after the first EPIPE
    BOOST_TEST(w.stats().lines_lost == 5u);
    BOOST_TEST(w.take_news().error.value() == 0);
}

BOOST_AUTO_TEST_CASE(enospc_and_eio_are_one_news_per_run_of_failures) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    sys.then(ENOSPC);
    sys.then(EIO);
    sys.then(ENOSPC);
    BOOST_REQUIRE(w.start());
    for (int i = 0; i < 4; ++i) w.push("line\n");
    BOOST_TEST(w.drain(5s));
    auto news = w.take_news();
    BOOST_TEST(news.error.value() == ENOSPC);  // the first of the run; EIO and ENOSPC after it are not news
    BOOST_TEST(news.recovered);                 // the fourth line was written
    BOOST_TEST(w.stats().lines_lost == 3u);
    BOOST_TEST(w.stats().lines_written == 1u);
    BOOST_TEST(sys.calls() == 4);  // close() and failed writes are never retried
}

BOOST_AUTO_TEST_CASE(switch_fd_keeps_the_order_of_lines) {
    FakeSys sys;
    AsyncWriter w(fd_number(40), 1 << 20, sys);
    BOOST_REQUIRE(w.start());
    w.push("old1\n");
    w.push("old22\n");
    w.switch_fd(fd_number(41));
    w.push("new333\n");
    BOOST_TEST(w.drain(5s));
    BOOST_TEST(sys.lines_to(40) == (std::vector<std::string>{"5", "6"}));
    BOOST_TEST(sys.lines_to(41) == (std::vector<std::string>{"7"}));
    BOOST_TEST(::fcntl(40, F_GETFD) == -1);  // the old fd was closed by the writer
}

BOOST_AUTO_TEST_CASE(a_writer_blocked_forever_does_not_block_its_destruction) {
    static FakeSys sys;  // the detached thread may use it after the test
    sys.hold(true);
    {
        AsyncWriter w(fd_number(40), 1 << 20, sys);
        BOOST_REQUIRE(w.start());
        w.push("never\n");
        sys.wait_calls(1);
    }  // returns although the thread is still in write()
    sys.hold(false);
    BOOST_TEST(sys.calls() == 1);
}
