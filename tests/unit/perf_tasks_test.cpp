#define BOOST_TEST_MODULE perf_tasks
#include <boost/test/unit_test.hpp>

#include <linux/perf_event.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "lib/perf_tasks.hpp"

using fswait::decode_perf_record;
using fswait::TaskRecord;
using Type = TaskRecord::Type;

namespace {

// A record as the kernel lays it out with sample_id_all and TID|TIME.
struct Builder {
    std::string bytes;  // (a std::vector<char> trips GCC 12's -Wstringop-overflow)
    explicit Builder(std::uint32_t type, std::uint16_t misc = 0) {
        perf_event_header h{type, misc, 0};
        put(h);
    }
    template <class T>
    Builder& put(const T& v) {
        const char* p = reinterpret_cast<const char*>(&v);
        bytes.append(p, sizeof v);
        return *this;
    }
    Builder& name(const std::string& s) {
        std::size_t padded = (s.size() + 1 + 7) / 8 * 8;
        std::string z = s;
        z.resize(padded, '\0');
        bytes += z;
        return *this;
    }
    std::string done(std::uint32_t pid, std::uint32_t tid, std::uint64_t time) {
        put(pid).put(tid).put(time);
        auto size = static_cast<std::uint16_t>(bytes.size());
        std::memcpy(&bytes[offsetof(perf_event_header, size)], &size, sizeof size);
        return bytes;
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_exec_comm_record_is_an_exec_with_its_name) {
    auto rec = Builder(PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC)
                   .put(std::uint32_t{42}).put(std::uint32_t{42}).name("sh").done(42, 42, 777);
    TaskRecord r;
    std::uint64_t lost = 0;
    BOOST_REQUIRE(decode_perf_record(rec.data(), rec.size(), r, lost));
    BOOST_TEST(static_cast<int>(r.type) == static_cast<int>(Type::exec));
    BOOST_TEST(r.pid == 42);
    BOOST_TEST(r.comm == "sh");
    BOOST_TEST(r.t == 777u);
}

BOOST_AUTO_TEST_CASE(a_rename_counts_only_for_the_thread_group_leader) {
    auto leader = Builder(PERF_RECORD_COMM).put(std::uint32_t{42}).put(std::uint32_t{42})
                      .name("worker-fifteen!").done(42, 42, 5);
    auto thread = Builder(PERF_RECORD_COMM).put(std::uint32_t{42}).put(std::uint32_t{43})
                      .name("thread").done(42, 43, 6);
    TaskRecord r;
    std::uint64_t lost = 0;
    BOOST_REQUIRE(decode_perf_record(leader.data(), leader.size(), r, lost));
    BOOST_TEST(static_cast<int>(r.type) == static_cast<int>(Type::rename));
    BOOST_TEST(r.comm == "worker-fifteen!");
    BOOST_TEST(!decode_perf_record(thread.data(), thread.size(), r, lost));
}

BOOST_AUTO_TEST_CASE(fork_and_exit_of_processes_but_not_threads) {
    auto fork = Builder(PERF_RECORD_FORK).put(std::uint32_t{50}).put(std::uint32_t{42})
                    .put(std::uint32_t{50}).put(std::uint32_t{42}).put(std::uint64_t{900}).done(50, 50, 901);
    auto thread = Builder(PERF_RECORD_FORK).put(std::uint32_t{42}).put(std::uint32_t{42})
                      .put(std::uint32_t{51}).put(std::uint32_t{42}).put(std::uint64_t{910}).done(42, 51, 911);
    auto exit = Builder(PERF_RECORD_EXIT).put(std::uint32_t{50}).put(std::uint32_t{42})
                    .put(std::uint32_t{50}).put(std::uint32_t{42}).put(std::uint64_t{950}).done(50, 50, 951);
    TaskRecord r;
    std::uint64_t lost = 0;
    BOOST_REQUIRE(decode_perf_record(fork.data(), fork.size(), r, lost));
    BOOST_TEST(static_cast<int>(r.type) == static_cast<int>(Type::fork));
    BOOST_TEST(r.pid == 50);
    BOOST_TEST(r.parent == 42);
    BOOST_TEST(r.t == 900u);
    BOOST_TEST(!decode_perf_record(thread.data(), thread.size(), r, lost));
    BOOST_REQUIRE(decode_perf_record(exit.data(), exit.size(), r, lost));
    BOOST_TEST(static_cast<int>(r.type) == static_cast<int>(Type::exit));
    BOOST_TEST(r.t == 950u);
}

BOOST_AUTO_TEST_CASE(lost_records_are_counted) {
    auto rec = Builder(PERF_RECORD_LOST).put(std::uint64_t{1}).put(std::uint64_t{17}).done(0, 0, 3);
    TaskRecord r;
    std::uint64_t lost = 5;
    BOOST_TEST(!decode_perf_record(rec.data(), rec.size(), r, lost));
    BOOST_TEST(lost == 22u);
}

BOOST_AUTO_TEST_CASE(truncated_or_mismatched_records_are_refused) {
    auto rec = Builder(PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC)
                   .put(std::uint32_t{42}).put(std::uint32_t{42}).name("sh").done(42, 42, 777);
    TaskRecord r;
    std::uint64_t lost = 0;
    BOOST_TEST(!decode_perf_record(rec.data(), rec.size() - 8, r, lost));
    BOOST_TEST(!decode_perf_record(rec.data(), 4, r, lost));
    auto tiny = Builder(PERF_RECORD_FORK).put(std::uint32_t{1}).done(1, 1, 1);
    BOOST_TEST(!decode_perf_record(tiny.data(), tiny.size(), r, lost));
}

// The kernel side: a real exec through a symlink is recorded under the
// link's name. Needs perf_event_open system-wide (root).
BOOST_AUTO_TEST_CASE(a_real_exec_is_recorded_under_the_name_it_was_started_by) {
    auto perf = fswait::PerfTasks::open(16);
    if (!perf) {
        BOOST_TEST_MESSAGE("perf_event_open refused: " << perf.error().message());
        BOOST_TEST(::getenv("CI") == nullptr);  // CI is root: this must work there
        return;
    }
    char dir[] = "/tmp/perf-tasks-test-XXXXXX";
    BOOST_REQUIRE(::mkdtemp(dir));
    std::string link = std::string(dir) + "/a-link-to-true-with-a-long-name";
    BOOST_REQUIRE(::symlink("/bin/true", link.c_str()) == 0);
    BOOST_REQUIRE(std::system(link.c_str()) == 0);
    std::vector<TaskRecord> out;
    perf->drain(out);
    ::unlink(link.c_str());
    ::rmdir(dir);
    bool seen = false;
    for (const TaskRecord& r : out)
        if (r.type == Type::exec && r.comm == "a-link-to-true-") seen = true;
    BOOST_TEST(seen);
}
