#include "lib/perf_tasks.hpp"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "lib/bytes.hpp"

namespace fswait {
namespace {

int open_cpu(int cpu, std::size_t ring_bytes) {
    perf_event_attr a{};
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_DUMMY;
    a.comm = 1;
    a.comm_exec = 1;
    a.task = 1;
    a.sample_id_all = 1;
    a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME;
    // The proc connector and our own clock_gettime use CLOCK_MONOTONIC too.
    a.use_clockid = 1;
    a.clockid = CLOCK_MONOTONIC;
    a.watermark = 1;
    a.wakeup_watermark = static_cast<std::uint32_t>(ring_bytes / 4);
    return static_cast<int>(::syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC));
}

// CPUs that can run tasks, from "0-3,8" style text.
std::vector<int> online_cpus() {
    std::vector<int> cpus;
    UniqueFd fd(::open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC));
    char buf[4096] = {};
    ssize_t n = fd ? ::read(fd.get(), buf, sizeof buf - 1) : -1;
    if (n <= 0) {
        long count = ::sysconf(_SC_NPROCESSORS_ONLN);
        for (int i = 0; i < count; ++i) cpus.push_back(i);
        return cpus;
    }
    const char* p = buf;
    while (*p && *p != '\n') {
        char* end = nullptr;
        long a = std::strtol(p, &end, 10), b = a;
        if (end == p) break;
        p = end;
        if (*p == '-') b = std::strtol(p + 1, const_cast<char**>(&p), 10);
        for (long i = a; i <= b && i < 65536; ++i) cpus.push_back(static_cast<int>(i));
        if (*p == ',') ++p;
    }
    return cpus;
}

}  // namespace

bool decode_perf_record(const char* rec, std::size_t size, TaskRecord& out, std::uint64_t& lost) {
    if (size < sizeof(perf_event_header)) return false;
    auto h = load<perf_event_header>(rec);
    if (h.size != size) return false;
    const char* body = rec + sizeof h;
    const std::size_t body_size = size - sizeof h;
    // sample_id_all with TID|TIME: {u32 pid, tid; u64 time} ends every record.
    constexpr std::size_t kSampleId = 16;
    if (body_size < kSampleId) return false;
    const std::uint64_t time = load<std::uint64_t>(rec + size - 8);
    switch (h.type) {
    case PERF_RECORD_COMM: {
        if (body_size < 8 + kSampleId) return false;
        auto pid = load<std::uint32_t>(body), tid = load<std::uint32_t>(body + 4);
        const bool exec = h.misc & PERF_RECORD_MISC_COMM_EXEC;
        // A thread's own name is not the process's: ps shows the leader's.
        if (!exec && pid != tid) return false;
        const char* name = body + 8;
        std::size_t max = body_size - 8 - kSampleId;
        out = TaskRecord{};
        out.type = exec ? TaskRecord::Type::exec : TaskRecord::Type::rename;
        out.t = time;
        out.pid = static_cast<pid_t>(pid);
        out.comm.assign(name, strnlen(name, max));
        return true;
    }
    case PERF_RECORD_FORK:
    case PERF_RECORD_EXIT: {
        if (body_size < 24 + kSampleId) return false;
        auto pid = load<std::uint32_t>(body), ppid = load<std::uint32_t>(body + 4);
        auto tid = load<std::uint32_t>(body + 8);
        if (pid != tid) return false;  // a thread, not a process
        out = TaskRecord{};
        out.type = h.type == PERF_RECORD_FORK ? TaskRecord::Type::fork : TaskRecord::Type::exit;
        out.t = load<std::uint64_t>(body + 16);
        out.pid = static_cast<pid_t>(pid);
        out.parent = static_cast<pid_t>(ppid);
        return true;
    }
    case PERF_RECORD_LOST:
        if (body_size >= 16 + kSampleId) lost += load<std::uint64_t>(body + 8);
        return false;
    default:
        return false;
    }
}

Result<PerfTasks> PerfTasks::open(std::size_t pages_per_cpu) {
    PerfTasks p;
    p.page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    const std::size_t ring = pages_per_cpu * p.page_;
    for (int cpu : online_cpus()) {
        Ring r;
        r.fd.reset(open_cpu(cpu, ring));
        if (!r.fd) return errno_code();
        r.map_size = ring + p.page_;
        r.map = ::mmap(nullptr, r.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd.get(), 0);
        if (r.map == MAP_FAILED) {
            r.map = nullptr;
            return errno_code();
        }
        p.rings_.push_back(std::move(r));
    }
    if (p.rings_.empty()) return std::make_error_code(std::errc::no_such_device);
    return p;
}

PerfTasks::PerfTasks(PerfTasks&& o) noexcept { *this = std::move(o); }

PerfTasks& PerfTasks::operator=(PerfTasks&& o) noexcept {
    if (this != &o) {
        release();
        rings_ = std::move(o.rings_);
        o.rings_.clear();
        page_ = o.page_;
        lost_ = o.lost_;
    }
    return *this;
}

PerfTasks::~PerfTasks() { release(); }

void PerfTasks::release() {
    for (Ring& r : rings_)
        if (r.map) ::munmap(r.map, r.map_size);
    rings_.clear();
}

std::vector<int> PerfTasks::fds() const {
    std::vector<int> v;
    for (const Ring& r : rings_) v.push_back(r.fd.get());
    return v;
}

void PerfTasks::drain(std::vector<TaskRecord>& out) {
    for (Ring& r : rings_) drain_ring(r, out);
}

void PerfTasks::drain_ring(Ring& r, std::vector<TaskRecord>& out) {
    auto* meta = static_cast<perf_event_mmap_page*>(r.map);
    const char* data = static_cast<const char*>(r.map) + page_;
    const std::uint64_t size = r.map_size - page_;
    std::uint64_t head = __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
    std::uint64_t tail = meta->data_tail;
    TaskRecord rec;
    while (tail + sizeof(perf_event_header) <= head) {
        const std::uint64_t off = tail % size;
        perf_event_header h;
        if (off + sizeof h <= size) {
            h = load<perf_event_header>(data + off);
        } else {
            char tmp[sizeof h];
            std::size_t first = static_cast<std::size_t>(size - off);
            std::memcpy(tmp, data + off, first);
            std::memcpy(tmp + first, data, sizeof h - first);
            h = load<perf_event_header>(tmp);
        }
        if (h.size < sizeof h || tail + h.size > head) break;
        const char* p = data + off;
        if (off + h.size > size) {
            // The record wraps the ring's end: copy it whole.
            wrapped_.resize(h.size);
            std::size_t first = static_cast<std::size_t>(size - off);
            std::memcpy(wrapped_.data(), data + off, first);
            std::memcpy(wrapped_.data() + first, data, h.size - first);
            p = wrapped_.data();
        }
        if (decode_perf_record(p, h.size, rec, lost_)) out.push_back(std::move(rec));
        tail += h.size;
    }
    __atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

}  // namespace fswait
