// The proc connector's socket read with injected EINTR, EAGAIN and ENOBUFS:
// every fork and exit of our own children is seen exactly once.
#define BOOST_TEST_MODULE proc_connector
#include "tests/unit/kernel_test.hpp"

#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <vector>

#include "lib/proc_connector.hpp"
#include "lib/task_record.hpp"
#include "tests/unit/scripted_sys.hpp"

using fswait::ProcConnector;
using fswait::TaskRecord;
using fswait::test::ScriptedSys;

namespace {

constexpr int kChildren = 40;

std::uint64_t now_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The kernel sends connector messages only to the first pid namespace.
bool in_first_pid_namespace() {
    struct stat st;
    return ::stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == 0xEFFFFFFC;  // PROC_PID_INIT_INO
}

std::vector<pid_t> fork_and_reap(int n) {
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        pid_t p = ::fork();
        BOOST_REQUIRE(p >= 0);
        if (p == 0) ::_exit(0);
        pids.push_back(p);
    }
    for (pid_t p : pids) BOOST_REQUIRE(::waitpid(p, nullptr, 0) == p);
    return pids;
}

struct Seen {
    std::map<pid_t, int> forks, exits;
    int drains = 0;
};

// Drains until every child's fork and exit came, or 5 s passed.
Seen drain_until_seen(ProcConnector& c, const std::vector<pid_t>& pids) {
    Seen s;
    std::map<pid_t, bool> ours;
    for (pid_t p : pids) ours[p] = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    auto complete = [&] {
        for (pid_t p : pids)
            if (!s.forks.count(p) || !s.exits.count(p)) return false;
        return true;
    };
    while (!complete() && std::chrono::steady_clock::now() < deadline) {
        pollfd pfd{c.fd(), POLLIN, 0};
        ::poll(&pfd, 1, 100);
        std::vector<TaskRecord> out;
        c.drain(out, true, now_ns());
        ++s.drains;
        for (const TaskRecord& r : out) {
            if (!ours.count(r.pid)) continue;
            if (r.type == TaskRecord::Type::fork) ++s.forks[r.pid];
            if (r.type == TaskRecord::Type::exit) ++s.exits[r.pid];
        }
    }
    // Whatever is still queued must not hold a second copy of anything.
    std::vector<TaskRecord> rest;
    c.drain(rest, true, now_ns());
    for (const TaskRecord& r : rest) {
        if (!ours.count(r.pid)) continue;
        if (r.type == TaskRecord::Type::fork) ++s.forks[r.pid];
        if (r.type == TaskRecord::Type::exit) ++s.exits[r.pid];
    }
    return s;
}

void each_child_once(const Seen& s, const std::vector<pid_t>& pids) {
    for (pid_t p : pids) {
        BOOST_TEST_CONTEXT("pid " << p) {
            BOOST_TEST(s.forks.count(p) == 1u);
            BOOST_TEST(s.exits.count(p) == 1u);
            if (s.forks.count(p)) BOOST_TEST(s.forks.at(p) == 1);
            if (s.exits.count(p)) BOOST_TEST(s.exits.at(p) == 1);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(eintr_eagain_and_enobufs_on_every_other_read_lose_and_repeat_nothing) {
    if (!in_first_pid_namespace()) {
        BOOST_TEST_MESSAGE("not in the first pid namespace: the kernel sends nothing here");
        return;
    }
    ScriptedSys sys;
    auto c = ProcConnector::open("/proc", sys);
    BOOST_REQUIRE(c.ok());
    sys.reads.cycle = {EINTR, 0, EAGAIN, 0, ENOBUFS, 0};
    auto pids = fork_and_reap(kChildren);
    Seen s = drain_until_seen(*c, pids);
    each_child_once(s, pids);
    BOOST_TEST(sys.reads.injected >= 3);
    // ENOBUFS means the kernel dropped messages: counted, reading goes on.
    int enobufs = 0;
    for (int i = 0; i < sys.reads.calls; ++i) enobufs += (i % 6 == 4);
    BOOST_TEST(c->overruns() == static_cast<std::uint64_t>(enobufs));
}

BOOST_AUTO_TEST_CASE(eagain_ends_a_drain_without_consuming_anything) {
    if (!in_first_pid_namespace()) return;
    ScriptedSys sys;
    auto c = ProcConnector::open("/proc", sys);
    BOOST_REQUIRE(c.ok());
    auto pids = fork_and_reap(3);
    sys.reads.next = {EAGAIN};
    std::vector<TaskRecord> out;
    c->drain(out, true, now_ns());
    BOOST_TEST(out.empty());
    BOOST_TEST(sys.reads.calls == 1);
    each_child_once(drain_until_seen(*c, pids), pids);
}

BOOST_AUTO_TEST_CASE(eintr_and_enobufs_do_not_end_a_drain) {
    if (!in_first_pid_namespace()) return;
    ScriptedSys sys;
    auto c = ProcConnector::open("/proc", sys);
    BOOST_REQUIRE(c.ok());
    auto pids = fork_and_reap(5);
    sys.reads.next = {EINTR, ENOBUFS, 0, EINTR, 0, ENOBUFS};
    std::vector<TaskRecord> out;
    c->drain(out, true, now_ns());
    // One drain reads until the socket is empty: every child is in it.
    Seen s;
    for (const TaskRecord& r : out) {
        if (r.type == TaskRecord::Type::fork) ++s.forks[r.pid];
        if (r.type == TaskRecord::Type::exit) ++s.exits[r.pid];
    }
    each_child_once(s, pids);
    BOOST_TEST(c->overruns() == 2u);
}
