#define BOOST_TEST_MODULE process_tracker
#include <boost/test/unit_test.hpp>

#include <string>

#include "lib/process_tracker.hpp"

using fswait::kNever;
using fswait::ProcessTracker;
using fswait::TaskRecord;
using fswait::UserNames;
using Type = TaskRecord::Type;
using Answer = ProcessTracker::Answer;

namespace {

struct Fixture {
    UserNames users{[](uid_t uid) -> std::optional<std::string> {
        if (uid == 0) return "root";
        if (uid == 65534) return "nobody";
        return std::nullopt;
    }};
    ProcessTracker tracker{users};

    void rec(Type type, std::uint64_t t, pid_t pid, std::string comm = {}, pid_t parent = 0,
             std::optional<uid_t> euid = std::nullopt) {
        TaskRecord r;
        r.type = type;
        r.t = t;
        r.pid = pid;
        r.parent = parent;
        r.comm = std::move(comm);
        r.euid = euid;
        tracker.ingest(r);
    }
    // A child of the shell: forked at t, exec'd `comm` at t + 1, exited at t + 2.
    void child(pid_t pid, std::uint64_t t, std::string comm) {
        rec(Type::fork, t, pid, {}, 100);
        rec(Type::exec, t + 1, pid, std::move(comm));
        rec(Type::exit, t + 2, pid);
    }
    // A shell (pid 100, root) that existed before the start.
    Fixture() { rec(Type::exists, 1, 100, "bash", 0, 0); }

    std::string who(pid_t pid, std::uint64_t before) {
        auto w = tracker.attribute(pid, before);
        if (w.answer == Answer::ambiguous) return "ambiguous";
        if (w.answer == Answer::unknown) return "unknown";
        return w.process->comm + "/" + w.process->user;
    }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(a_short_lived_child_keeps_its_name_after_exit, Fixture) {
    child(200, 10, "touch");
    tracker.exec_seen(200, "touch", 50);
    BOOST_TEST(who(200, 50) == "touch/root");
}

BOOST_FIXTURE_TEST_CASE(a_symlinked_binary_is_named_by_the_exec_record_not_the_file, Fixture) {
    child(200, 10, "sh");
    tracker.exec_seen(200, "dash", 50);
    BOOST_TEST(who(200, 50) == "sh/root");
}

BOOST_FIXTURE_TEST_CASE(events_queued_before_the_in_band_exec_have_the_parents_name, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exec, 20, 200, "cat");
    rec(Type::exit, 30, 200);
    // A redirection opened by the forked shell, queued before the exec.
    std::uint64_t next = tracker.next_exec_time(200);
    BOOST_TEST(next == 20u);
    BOOST_TEST(who(200, next - 1) == "bash/root");
    tracker.exec_seen(200, "cat", 50);
    BOOST_TEST(who(200, 50) == "cat/root");
    BOOST_TEST(tracker.next_exec_time(200) == kNever);
}

BOOST_FIXTURE_TEST_CASE(a_reused_pid_never_inherits_the_old_command, Fixture) {
    child(300, 10, "alpha");
    // Read live: alpha's exec and event came in a batch read at 15.
    tracker.exec_seen(300, "alpha", 15);
    BOOST_TEST(who(300, 15) == "alpha/root");
    tracker.set_lower_bound(15);
    child(300, 20, "beta");
    tracker.exec_seen(300, "beta", 50);
    BOOST_TEST(who(300, 50) == "beta/root");
}

BOOST_FIXTURE_TEST_CASE(a_reused_pid_read_late_is_never_given_the_other_command, Fixture) {
    child(300, 10, "alpha");
    child(300, 20, "beta");
    // One batch read at 50: alpha's exec, alpha's event, beta's exec, beta's
    // event. Between the two execs the pid was alpha, then beta before its
    // exec: nothing says which of them wrote.
    tracker.exec_seen(300, "alpha", 50);
    BOOST_TEST(who(300, tracker.next_exec_time(300) - 1) == "ambiguous");
    tracker.exec_seen(300, "beta", 50);
    BOOST_TEST(who(300, 50) == "beta/root");
}

BOOST_FIXTURE_TEST_CASE(a_reused_pid_without_exec_in_one_window_is_ambiguous, Fixture) {
    child(300, 10, "alpha");
    rec(Type::fork, 20, 300, {}, 100);  // a subshell: no exec
    rec(Type::exit, 22, 300);
    tracker.exec_seen(300, "alpha", 50);
    // alpha's exec is the lower bound: both processes were alive after it.
    BOOST_TEST(who(300, 50) == "ambiguous");
}

BOOST_FIXTURE_TEST_CASE(a_lower_bound_separates_reused_pids, Fixture) {
    child(300, 10, "alpha");
    tracker.set_lower_bound(15);  // the queue was empty at 15
    rec(Type::fork, 20, 300, {}, 100);
    rec(Type::exit, 22, 300);
    BOOST_TEST(who(300, 50) == "bash/root");
}

BOOST_FIXTURE_TEST_CASE(a_rename_before_the_event_is_seen, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exec, 11, 200, "python3");
    rec(Type::rename, 15, 200, "worker-renamed-long-name");
    rec(Type::exit, 30, 200);
    tracker.exec_seen(200, "python3.11", 50);
    BOOST_TEST(who(200, 50) == "worker-renamed-/root");
}

BOOST_FIXTURE_TEST_CASE(uids_are_inherited_and_changed, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::uid, 11, 200, {}, 0, 65534);
    rec(Type::exec, 12, 200, "touch");
    rec(Type::fork, 13, 201, {}, 200);  // a child of the setuid process
    rec(Type::uid, 14, 201, {}, 0, 54321);
    tracker.exec_seen(200, "touch", 50);
    BOOST_TEST(who(200, 50) == "touch/nobody");
    auto w = tracker.attribute(201, 50);
    BOOST_TEST(w.process->comm == "touch");
    BOOST_TEST(w.process->user == "54321");
    BOOST_TEST(w.alive);
}

BOOST_FIXTURE_TEST_CASE(an_exec_without_a_record_is_named_from_the_binary, Fixture) {
    tracker.exec_seen(400, "a-very-long-binary-name", 50);
    auto w = tracker.attribute(400, 50);
    BOOST_TEST(w.process->comm == "a-very-long-bin");
    BOOST_TEST(!w.process->uid.has_value());
    BOOST_TEST(tracker.stats().unmatched_execs == 1u);
}

BOOST_FIXTURE_TEST_CASE(an_unknown_pid_is_unknown, Fixture) {
    BOOST_TEST(who(999, 50) == "unknown");
    BOOST_TEST(who(0, 50) == "unknown");
}

BOOST_FIXTURE_TEST_CASE(exited_processes_are_forgotten_once_the_queue_passed_them, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exit, 12, 200);
    BOOST_TEST(tracker.generations() == 2u);
    tracker.set_lower_bound(12);
    BOOST_TEST(tracker.generations() == 2u);  // an event at 12 may still be queued
    tracker.set_lower_bound(13);
    BOOST_TEST(tracker.generations() == 1u);
    BOOST_TEST(who(200, 50) == "unknown");
    BOOST_TEST(who(100, 50) == "bash/root");
}

BOOST_FIXTURE_TEST_CASE(memory_is_capped_when_nothing_reads, Fixture) {
    for (pid_t i = 0; i < static_cast<pid_t>(ProcessTracker::kMaxDead) + 10; ++i) {
        rec(Type::fork, 10 + 2 * i, 1000 + i, {}, 100);
        rec(Type::exit, 11 + 2 * i, 1000 + i);
    }
    tracker.set_lower_bound(0);
    BOOST_TEST(tracker.generations() == ProcessTracker::kMaxDead + 1);
    BOOST_TEST(tracker.stats().dropped == 10u);
}

BOOST_FIXTURE_TEST_CASE(a_missed_exit_ends_the_old_process_at_the_next_fork, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exec, 11, 200, "old");
    rec(Type::fork, 20, 200, {}, 100);  // exit record lost
    tracker.set_lower_bound(21);
    BOOST_TEST(who(200, 50) == "bash/root");
}

BOOST_FIXTURE_TEST_CASE(exists_does_not_override_what_records_said, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exec, 11, 200, "vim");
    rec(Type::exists, 12, 200, "stale", 0, 65534);
    BOOST_TEST(who(200, 50) == "vim/root");
}

BOOST_FIXTURE_TEST_CASE(a_uid_change_read_before_the_fork_record_is_kept, Fixture) {
    // The connector's message came in one drain, perf's fork in the next.
    rec(Type::uid, 12, 200, {}, 0, 65534);
    rec(Type::fork, 10, 200, {}, 100);
    rec(Type::exec, 13, 200, "touch");
    tracker.exec_seen(200, "touch", 50);
    BOOST_TEST(who(200, 50) == "touch/nobody");
    BOOST_TEST(tracker.generations() == 2u);
}

// perf writes an exec's record a moment after the exec; a batch read in
// between sees the in-band exec first. The record then names that exec,
// and the in-band file stays its exe (it was lost: "exe":null).
BOOST_FIXTURE_TEST_CASE(an_exec_record_after_its_in_band_exec_completes_it, Fixture) {
    rec(Type::fork, 10, 200, {}, 100);
    tracker.exec_seen(200, "dash", 50, "/usr/bin/dash");
    rec(Type::exec, 20, 200, "sh");
    auto w = tracker.attribute(200, 50);
    BOOST_REQUIRE(w.answer == Answer::known);
    BOOST_TEST(w.process->comm == "sh");
    BOOST_TEST(w.process->exe == "/usr/bin/dash");
    BOOST_TEST(tracker.stats().unmatched_execs == 1u);
    // A second exec, with its record, is a change of its own.
    rec(Type::exec, 60, 200, "cat");
    BOOST_TEST(who(200, 70) == "cat/root");
}
