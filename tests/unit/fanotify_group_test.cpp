#define BOOST_TEST_MODULE fanotify_group
#include "tests/unit/kernel_test.hpp"

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "lib/fanotify_group.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/file_handle.hpp"
#include "lib/unique_fd.hpp"
#include "tests/unit/scripted_sys.hpp"

using fswait::FanotifyGroup;
using fswait::FanRecord;
using fswait::FileHandle;
using fswait::test::fresh_dir;
using fswait::test::handle_of;
using fswait::test::ScriptedSys;

namespace {

constexpr int kFiles = 120;
// Room for a few records only, so that reading them all takes many reads
// and every fault lands between two of them.
constexpr std::size_t kSmallBuffer = 512;

// A group with an inode mark on a fresh directory of the private tmpfs,
// in which kFiles files were created: their CREATE records are queued.
struct Queued {
    std::string dir;
    FileHandle handle;
    FanotifyGroup group;

    explicit Queued(const std::string& name) : dir(fresh_dir(name)), handle(handle_of(dir)), group(open_group()) {
        BOOST_REQUIRE(group.mark(dir, FAN_CREATE, true).ok());
        for (int i = 0; i < kFiles; ++i) {
            std::string path = dir + "/f" + std::to_string(i);
            fswait::UniqueFd fd(::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
            BOOST_REQUIRE(fd);
        }
    }

    static FanotifyGroup open_group() {
        auto g = FanotifyGroup::open();
        BOOST_REQUIRE(g.ok());
        return std::move(*g);
    }
};

struct Drained {
    std::map<std::string, int> creates;  // name -> how many CREATE records
    int other = 0;                       // records that are not one of ours
    int errors = 0;                      // reads that returned an error
    std::vector<std::error_code> error_codes;
};

// Reads through `sys` until kFiles records came or the queue is really
// empty (a real read gave nothing, twice: an injected EAGAIN proves nothing).
Drained drain(Queued& q, ScriptedSys& sys) {
    Drained d;
    std::vector<char> buf(kSmallBuffer);
    int real_empty = 0;
    for (int reads = 0; reads < 10 * kFiles && real_empty < 2; ++reads) {
        const int real_before = sys.real_reads;
        auto n = q.group.read(buf.data(), buf.size(), sys);
        if (!n) {
            ++d.errors;
            d.error_codes.push_back(n.error());
            continue;
        }
        if (*n == 0) {
            if (sys.real_reads > real_before) ++real_empty;
            continue;
        }
        std::vector<FanRecord> records;
        BOOST_REQUIRE(fswait::parse_fanotify_buffer(std::string_view(buf.data(), *n), records).ok());
        for (const FanRecord& r : records) {
            const bool ours = r.mask == FAN_CREATE && r.dir && q.handle.matches(*r.dir) && r.pid == ::getpid();
            if (ours) ++d.creates[std::string(r.name)];
            else ++d.other;
        }
    }
    return d;
}

void each_file_exactly_once(const Drained& d) {
    BOOST_TEST(d.other == 0);
    BOOST_TEST(d.creates.size() == static_cast<std::size_t>(kFiles));
    for (int i = 0; i < kFiles; ++i) {
        auto it = d.creates.find("f" + std::to_string(i));
        BOOST_TEST_CONTEXT("f" << i) {
            BOOST_TEST((it != d.creates.end()));
            if (it != d.creates.end()) BOOST_TEST(it->second == 1);
        }
    }
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_faults_every_create_is_read_once) {
    Queued q("plain");
    ScriptedSys sys;
    auto d = drain(q, sys);
    each_file_exactly_once(d);
    BOOST_TEST(d.errors == 0);
}

BOOST_AUTO_TEST_CASE(eintr_and_eagain_on_every_other_read_lose_and_repeat_nothing) {
    Queued q("eintr_eagain");
    ScriptedSys sys;
    sys.reads.cycle = {EINTR, 0, EAGAIN, 0};
    auto d = drain(q, sys);
    each_file_exactly_once(d);
    // EINTR is retried inside read(); EAGAIN is "nothing now", not an error.
    BOOST_TEST(d.errors == 0);
    // Many reads, each next to a fault: the records came in many pieces.
    BOOST_TEST_MESSAGE(sys.real_reads << " real reads, " << sys.reads.injected << " faults");
    BOOST_TEST(sys.reads.injected >= 10);
}

BOOST_AUTO_TEST_CASE(eintr_on_every_read_is_retried_at_once) {
    Queued q("eintr");
    ScriptedSys sys;
    sys.reads.cycle = {EINTR, 0};
    std::vector<char> buf(kSmallBuffer);
    auto n = q.group.read(buf.data(), buf.size(), sys);
    BOOST_REQUIRE(n.ok());
    BOOST_TEST(*n > 0u);  // one call to read() got records despite the EINTR
    BOOST_TEST(sys.reads.calls == 2);
}

BOOST_AUTO_TEST_CASE(eagain_reads_nothing_and_consumes_nothing) {
    Queued q("eagain");
    ScriptedSys sys;
    sys.reads.next = {EAGAIN, EAGAIN, EAGAIN};
    std::vector<char> buf(kSmallBuffer);
    for (int i = 0; i < 3; ++i) {
        auto n = q.group.read(buf.data(), buf.size(), sys);
        BOOST_REQUIRE(n.ok());
        BOOST_TEST(*n == 0u);
    }
    BOOST_TEST(sys.real_reads == 0);
    each_file_exactly_once(drain(q, sys));
}

BOOST_AUTO_TEST_CASE(another_read_error_is_returned_and_the_queue_is_still_whole) {
    Queued q("eio");
    ScriptedSys sys;
    sys.reads.next = {0, EIO, EINTR, ENOMEM};
    auto d = drain(q, sys);
    BOOST_REQUIRE(d.errors == 2);
    BOOST_TEST(d.error_codes.at(0) == std::error_code(EIO, std::generic_category()));
    BOOST_TEST(d.error_codes.at(1) == std::error_code(ENOMEM, std::generic_category()));
    each_file_exactly_once(d);
}

BOOST_AUTO_TEST_CASE(an_empty_queue_reads_as_zero_bytes) {
    Queued q("empty");
    ScriptedSys sys;
    each_file_exactly_once(drain(q, sys));
    std::vector<char> buf(kSmallBuffer);
    auto n = q.group.read(buf.data(), buf.size(), sys);  // a real EAGAIN
    BOOST_REQUIRE(n.ok());
    BOOST_TEST(*n == 0u);
}
