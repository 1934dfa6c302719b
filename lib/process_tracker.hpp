// The process cache: who each pid was at each moment, so that an event read
// long after its process exited (or after its pid was reused) still names the
// right command and user.
//
// Two streams meet here. Task records (fork, exec, rename, uid, exit, with
// timestamps) come from perf, the proc connector and /proc. File events come
// from fanotify in queue order, without timestamps; what places them in time
// is (a) the moment each batch was read (an event happened before it), (b)
// the moment the queue was last found empty (every later event happened after
// it), and (c) in-band execs: each execve queues FAN_OPEN_EXEC records before
// anything the new program does, so a process's events before and after its
// exec are told apart by queue order even when fswait reads them much later.
//
// A pid has a list of generations (one per process that had it). An event
// belongs to the generation alive in its time window; when two are (the pid
// was reused within one window and nothing in-band separates them) the answer
// is "ambiguous", printed as unknown rather than guessed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/event.hpp"
#include "lib/task_record.hpp"
#include "lib/user_names.hpp"

namespace fswait {

inline constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

struct TrackerStats {
    std::uint64_t records = 0;      // task records ingested
    std::uint64_t matched_execs = 0;   // in-band execs matched to an exec record
    std::uint64_t unmatched_execs = 0; // in-band execs without one (named from the binary)
    std::uint64_t ambiguous = 0;    // events whose pid had two processes in the window
    std::uint64_t unknown = 0;      // events of pids the tracker has never heard of
    std::uint64_t dropped = 0;      // generations dropped by the size cap
};

class ProcessTracker {
public:
    explicit ProcessTracker(UserNames& users) : users_(users) {}

    // Records in time order (the caller sorts each drained batch).
    void ingest(const TaskRecord& r);

    // Every event not yet read happened after `t` (the queue was found empty
    // by a read that started at t). Generations that ended before it are
    // forgotten: no event can refer to them any more.
    void set_lower_bound(std::uint64_t t);

    // An in-band exec by pid (the first FAN_OPEN_EXEC of an execve), read in
    // a batch that was read at `hi`; `binary` is the executable's file name.
    // `exe` is the executed file's path ("" = not known).
    void exec_seen(pid_t pid, std::string_view binary, std::uint64_t hi, std::string_view exe = {});

    // When the exec the next exec_seen(pid) would match happened; kNever if
    // no such exec record is known.
    std::uint64_t next_exec_time(pid_t pid) const;

    enum class Answer { known, ambiguous, unknown };
    struct Who {
        Answer answer = Answer::unknown;
        std::shared_ptr<const Process> process;  // known: never null
        bool alive = false;                      // known: the process has not exited
    };
    // Who pid was for an event that happened no later than `before` (and
    // after every in-band exec of pid seen so far).
    Who attribute(pid_t pid, std::uint64_t before);

    std::size_t generations() const { return live_generations_; }
    const TrackerStats& stats() const { return stats_; }

    // Cap on generations of exited processes kept for events not yet read.
    static constexpr std::size_t kMaxDead = 65536;

private:
    struct Change {
        enum class What : std::uint8_t { exec, rename, uid };
        std::uint64_t t;
        What what;
        std::string comm;     // exec, rename ("" = not known)
        std::string binary;   // exec: the in-band name, used when comm is unknown
        std::string exe;      // exec: the in-band file's path ("" = not known)
        uid_t uid = 0;        // uid
        bool matched = false; // exec: an in-band exec was matched to it
        bool in_band_only = false;  // exec: seen in-band before any record of it
    };
    struct Generation {
        std::uint64_t start = 0;  // 0: before fswait started (or its fork was missed)
        std::uint64_t end = kNever;
        std::string comm;         // at start
        std::optional<uid_t> uid; // at start
        std::string exe;          // at start
        bool implicit = false;    // opened by a later record, before (or without) its fork
        std::vector<Change> changes;  // by time
        std::size_t cached_at = std::numeric_limits<std::size_t>::max();
        std::shared_ptr<const Process> cached;
    };
    struct Pid {
        std::deque<Generation> gens;  // by start
        std::size_t floor = 0;        // the queue has reached this generation
        std::uint64_t lo = 0;         // time of pid's last in-band exec
    };

    Generation* alive_at(Pid& p, std::uint64_t t);
    Generation& open_generation(pid_t pid, std::uint64_t start);
    void end_generation(pid_t pid, Generation& g, std::uint64_t t);
    static void add_change(Generation& g, Change c);
    // Gives an exec seen only in-band its record's name; false when there is none.
    static bool complete_in_band_exec(Generation& g, std::string& comm);
    std::shared_ptr<const Process> state(pid_t pid, Generation& g, std::uint64_t t);
    std::pair<std::size_t, const Change*> next_exec(const Pid& p) const;
    void prune();

    UserNames& users_;
    std::unordered_map<pid_t, Pid> pids_;
    std::deque<std::pair<std::uint64_t, pid_t>> exits_;  // (end, pid), by end
    std::uint64_t lower_bound_ = 0;
    std::size_t live_generations_ = 0;
    TrackerStats stats_;
};

}  // namespace fswait
