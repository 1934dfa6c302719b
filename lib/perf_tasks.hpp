// Task records from perf: the kernel writes a COMM record (with the new
// name) at every exec and prctl(PR_SET_NAME), and FORK/EXIT records, into
// per-CPU ring buffers that fill while fswait is busy or stopped. Unlike the
// proc connector's exec message it carries the name the process really got
// (`sh`, not the `dash` its symlink points to), so nothing has to be read
// from /proc before the process exits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lib/result.hpp"
#include "lib/task_record.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

class PerfTasks {
public:
    // One dummy software event per online CPU. Needs CAP_PERFMON (root) or a
    // permissive kernel.perf_event_paranoid; the error is the first refusal.
    static Result<PerfTasks> open(std::size_t pages_per_cpu = 128);

    PerfTasks(PerfTasks&&) noexcept;
    PerfTasks& operator=(PerfTasks&&) noexcept;
    ~PerfTasks();

    // Readable when a ring is a quarter full.
    std::vector<int> fds() const;
    // Appends what every ring holds now (per CPU in time order).
    void drain(std::vector<TaskRecord>& out);
    // Records the kernel could not write because a ring was full.
    std::uint64_t lost() const { return lost_; }

private:
    struct Ring {
        UniqueFd fd;
        void* map = nullptr;
        std::size_t map_size = 0;
    };
    PerfTasks() = default;
    void drain_ring(Ring& r, std::vector<TaskRecord>& out);
    void release();

    std::vector<Ring> rings_;
    std::size_t page_ = 0;
    std::uint64_t lost_ = 0;
    std::vector<char> wrapped_;  // a record that wraps the ring's end, copied whole
};

// Decodes one perf record (header included) into out; false when it is not
// a task record (or malformed). `lost` gets PERF_RECORD_LOST counts.
bool decode_perf_record(const char* rec, std::size_t size, TaskRecord& out, std::uint64_t& lost);

}  // namespace fswait
