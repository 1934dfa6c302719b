#include "lib/proc_connector.hpp"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "lib/bytes.hpp"
#include "lib/process_table.hpp"

namespace fswait {
namespace {

// An exec message older than this is not followed by a /proc read.
constexpr std::uint64_t kFreshNs = 20'000'000;

}  // namespace

Result<ProcConnector> ProcConnector::open(std::string proc_root, Sys& sys) {
    UniqueFd fd(::socket(PF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR));
    if (!fd) return errno_code();
    // Room for a few seconds of a fork storm while fswait is stopped.
    int size = 8 << 20;
    if (::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    sockaddr_nl sa{};
    sa.nl_family = AF_NETLINK;
    sa.nl_groups = CN_IDX_PROC;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) return errno_code();
    ProcConnector c(std::move(fd), std::move(proc_root), sys);
    if (!c.send_op(PROC_CN_MCAST_LISTEN)) return errno_code();
    return c;
}

ProcConnector::~ProcConnector() {
    if (fd_) send_op(PROC_CN_MCAST_IGNORE);
}

bool ProcConnector::send_op(int op) {
    // nlmsghdr, cn_msg (ends in a flexible array), then the operation.
    alignas(nlmsghdr) char msg[NLMSG_HDRLEN + sizeof(cn_msg) + sizeof(int)] = {};
    nlmsghdr nl{};
    nl.nlmsg_len = sizeof msg;
    nl.nlmsg_type = NLMSG_DONE;
    nl.nlmsg_pid = static_cast<__u32>(::getpid());
    cn_msg cn{};
    cn.id.idx = CN_IDX_PROC;
    cn.id.val = CN_VAL_PROC;
    cn.len = sizeof(int);
    std::memcpy(msg, &nl, sizeof nl);
    std::memcpy(msg + NLMSG_HDRLEN, &cn, sizeof cn);
    std::memcpy(msg + NLMSG_HDRLEN + sizeof cn, &op, sizeof op);
    return ::send(fd_.get(), msg, sizeof msg, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof msg);
}

void ProcConnector::drain(std::vector<TaskRecord>& out, bool everything, std::uint64_t now) {
    alignas(nlmsghdr) char buf[16384];
    for (;;) {
        // read(2) on a socket is recv(2) without flags.
        ssize_t n = sys_->read(fd_.get(), buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                ++overruns_;
                continue;
            }
            return;  // EAGAIN: drained
        }
        if (n == 0) return;
        std::size_t left = static_cast<std::size_t>(n);
        const char* p = buf;
        while (left >= sizeof(nlmsghdr)) {
            auto nl = load<nlmsghdr>(p);
            if (nl.nlmsg_len < sizeof nl || nl.nlmsg_len > left) break;
            if (nl.nlmsg_type == NLMSG_DONE && nl.nlmsg_len >= NLMSG_LENGTH(sizeof(cn_msg)))
                handle(p + NLMSG_HDRLEN, nl.nlmsg_len - NLMSG_HDRLEN, out, everything, now);
            std::size_t step = NLMSG_ALIGN(nl.nlmsg_len);
            if (step >= left) break;
            p += step;
            left -= step;
        }
    }
}

void ProcConnector::handle(const char* msg, std::size_t len, std::vector<TaskRecord>& out, bool everything,
                           std::uint64_t now) {
    auto cn = load<cn_msg>(msg);
    if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC) return;
    if (len < sizeof(cn_msg) + sizeof(proc_event) || cn.len < sizeof(proc_event)) return;
    auto ev = load<proc_event>(msg + sizeof(cn_msg));
    TaskRecord r;
    r.t = ev.timestamp_ns;
    switch (ev.what) {
    case proc_event::PROC_EVENT_FORK:
        if (!everything || ev.event_data.fork.child_pid != ev.event_data.fork.child_tgid) return;
        r.type = TaskRecord::Type::fork;
        r.pid = ev.event_data.fork.child_tgid;
        r.parent = ev.event_data.fork.parent_tgid;
        break;
    case proc_event::PROC_EVENT_EXEC: {
        r.pid = ev.event_data.exec.process_tgid;
        auto st = now - r.t < kFreshNs ? read_proc_status(proc_root_, r.pid) : std::nullopt;
        if (everything) {
            TaskRecord e = r;
            e.type = TaskRecord::Type::exec;
            if (st) e.comm = st->comm;
            out.push_back(std::move(e));
        }
        // A setuid binary changes the effective uid without a uid message.
        if (!st || !st->euid) return;
        r.type = TaskRecord::Type::uid;
        r.euid = st->euid;
        break;
    }
    case proc_event::PROC_EVENT_UID:
        r.type = TaskRecord::Type::uid;
        r.pid = ev.event_data.id.process_tgid;
        r.euid = ev.event_data.id.e.euid;
        break;
    case proc_event::PROC_EVENT_COMM:
        if (!everything || ev.event_data.comm.process_pid != ev.event_data.comm.process_tgid) return;
        r.type = TaskRecord::Type::rename;
        r.pid = ev.event_data.comm.process_tgid;
        r.comm.assign(ev.event_data.comm.comm, strnlen(ev.event_data.comm.comm, sizeof ev.event_data.comm.comm));
        break;
    case proc_event::PROC_EVENT_EXIT:
        if (!everything || ev.event_data.exit.process_pid != ev.event_data.exit.process_tgid) return;
        r.type = TaskRecord::Type::exit;
        r.pid = ev.event_data.exit.process_tgid;
        break;
    default:
        return;
    }
    out.push_back(std::move(r));
}

}  // namespace fswait
