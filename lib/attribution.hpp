// Who caused each event. The process cache (ProcessTracker) is fed, in order
// of trust, by perf task records (exec names as ps shows them, fork, exit,
// renames), the proc connector (uid changes; everything when perf is not
// available), a /proc walk at start, and in-band execs: FAN_OPEN_EXEC
// filesystem marks put every execve into the same queue as the file events,
// so an event is known to come before or after its process's exec. /proc at
// delivery is the last resort, for pids no source has told about.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "lib/event.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/file_handle.hpp"
#include "lib/perf_tasks.hpp"
#include "lib/proc_connector.hpp"
#include "lib/process_table.hpp"
#include "lib/process_tracker.hpp"
#include "lib/user_names.hpp"

namespace fswait {

struct AttributionStats {
    int exec_marks = 0;          // filesystems with an FAN_OPEN_EXEC mark
    bool perf = false;           // perf task records available
    bool connector = false;      // proc connector available
    std::uint64_t perf_lost = 0;
    std::uint64_t connector_overruns = 0;
    std::uint64_t proc_reads = 0;  // last-resort /proc lookups
    std::size_t generations = 0;
    TrackerStats tracker;
};

// CLOCK_MONOTONIC in ns, the clock of every task source.
std::uint64_t monotonic_ns();

class Attribution {
public:
    // Sources and the /proc walk are set up here; what fails is counted in
    // stats() and attribution falls back to the rest.
    explicit Attribution(std::string proc_root = "/proc");
    // The FAN_OPEN_EXEC marks, once the watches are placed: a group that
    // watches a btrfs subvolume may mark no other filesystem (EXDEV), and
    // the watches come first. Refused marks leave execs to perf and the
    // connector.
    void mark_exec_filesystems(int fanotify_fd);

    // Task sources to poll, and a 100 ms tick: an idle queue found empty
    // lets exited processes go, and keeps the perf rings from filling up.
    std::vector<int> fds() const;
    void drain();                  // task sources into the cache
    // The queue was found empty by a read that started at t.
    void queue_empty_at(std::uint64_t t) { tracker_.set_lower_bound(t); }

    // A batch of records, read by a read() that returned at `hi`.
    void begin_batch(const std::vector<FanRecord>& records, std::uint64_t hi);
    // Record i carries nothing but an exec (no file event to translate).
    bool exec_only(std::size_t i) const { return anchors_[i] & kOnlyExec; }
    // Who `pid` was for the record being translated.
    std::shared_ptr<const Process> who(pid_t pid);
    // Record i has been translated: its exec (if any) takes effect.
    void finish_record(std::size_t i);

    AttributionStats stats() const;

private:
    enum : std::uint8_t { kExecStart = 1, kOnlyExec = 2 };
    std::string executable(const FanRecord& r);
    void find_execs(const std::vector<FanRecord>& records);
    void wait_for_exec_records();

    std::string proc_root_;
    UserNames users_;
    ProcessTracker tracker_{users_};
    ProcessTable proc_{users_};
    std::optional<PerfTasks> perf_;
    std::optional<ProcConnector> connector_;
    UniqueFd tick_;
    // Executables are named from their exec record's directory handle.
    std::unordered_map<std::uint64_t, std::string> mount_points_;  // fsid -> where it is mounted
    std::unordered_map<FileHandle, std::string, FileHandleHash> exec_dirs_;
    std::vector<TaskRecord> pending_records_;
    const std::vector<FanRecord>* records_ = nullptr;
    std::vector<std::uint8_t> anchors_;
    std::unordered_map<pid_t, int> execs_ahead_;  // pid -> in-band execs later in this batch
    std::unordered_map<pid_t, bool> in_exec_;     // pid -> between an exec's first open and its end
    std::uint64_t hi_ = 0;
    pid_t self_;
    AttributionStats stats_;
};

}  // namespace fswait
