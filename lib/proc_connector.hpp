// The proc connector (netlink): the kernel's fork, exec, uid, comm and exit
// messages for every process, queued in a socket buffer while fswait is busy
// or stopped. Its exec message carries no name, so on a fresh exec the
// process's /proc status is read at once (comm and effective uid, which a
// setuid binary changes without a uid message).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/result.hpp"
#include "lib/sys.hpp"
#include "lib/task_record.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

class ProcConnector {
public:
    // Needs CAP_NET_ADMIN; in a pid namespace other than the first the
    // kernel accepts the socket but sends nothing.
    // Its reads go through `sys` (the tests inject EINTR, EAGAIN, ENOBUFS).
    static Result<ProcConnector> open(std::string proc_root = "/proc", Sys& sys = real_sys());
    ProcConnector(ProcConnector&&) noexcept = default;
    ProcConnector& operator=(ProcConnector&&) noexcept = default;
    ~ProcConnector();

    int fd() const { return fd_.get(); }

    // Appends the messages queued now. With `everything` false only uid
    // changes (and the uid read at exec) are kept: another source tells the
    // rest better. `now` is CLOCK_MONOTONIC; an exec message older than a
    // few milliseconds is not followed by a /proc read (the pid may be gone
    // or reused by then).
    void drain(std::vector<TaskRecord>& out, bool everything, std::uint64_t now);

    // Times the socket buffer overflowed (messages lost).
    std::uint64_t overruns() const { return overruns_; }

private:
    ProcConnector(UniqueFd fd, std::string proc_root, Sys& sys)
        : fd_(std::move(fd)), proc_root_(std::move(proc_root)), sys_(&sys) {}
    void handle(const char* msg, std::size_t len, std::vector<TaskRecord>& out, bool everything,
                std::uint64_t now);
    bool send_op(int op);

    UniqueFd fd_;
    std::string proc_root_;
    Sys* sys_;  // a pointer: the connector is move-assigned
    std::uint64_t overruns_ = 0;
};

}  // namespace fswait
