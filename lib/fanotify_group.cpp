#include "lib/fanotify_group.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/fanotify.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace fswait {
namespace {

bool has_cap_sys_admin() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3]{};
    if (::syscall(SYS_capget, &header, data) != 0) return false;
    return data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

}  // namespace

Result<FanotifyGroup> FanotifyGroup::open(QueuePolicy queue) {
    const unsigned base = FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_FID | FAN_REPORT_DFID_NAME;
    const unsigned ev = O_RDONLY | O_CLOEXEC | O_LARGEFILE;
    // Without CAP_SYS_ADMIN (5.13+ allows it) the kernel reports pid 0 for
    // every other process: no attribution, no filesystem marks, no use.
    if (!has_cap_sys_admin()) return errno_code(EPERM);
    GroupFeatures f;
    f.unlimited_queue = queue == QueuePolicy::unlimited;
    f.target_fid = true;
    const unsigned sized = base | (f.unlimited_queue ? FAN_UNLIMITED_QUEUE : 0u);
    int fd = ::fanotify_init(sized | FAN_REPORT_TARGET_FID, ev);
    if (fd < 0 && errno == EINVAL) {
        f.target_fid = false;
        fd = ::fanotify_init(sized, ev);
    }
    if (fd < 0) return errno_code();
    FanotifyGroup g(UniqueFd(fd), f);
    g.probe_rename();
    return g;
}

void FanotifyGroup::probe_rename() {
    // A mark on "/" with FAN_RENAME is accepted only by 5.17+; remove it at
    // once so that no event is queued for it.
    if (::fanotify_mark(fd(), FAN_MARK_ADD, FAN_RENAME | FAN_ONDIR, AT_FDCWD, "/") == 0) {
        features_.rename = true;
        ::fanotify_mark(fd(), FAN_MARK_REMOVE, FAN_RENAME | FAN_ONDIR, AT_FDCWD, "/");
    }
}

Status FanotifyGroup::mark(const std::string& path, std::uint64_t mask, bool follow) {
    unsigned flags = FAN_MARK_ADD | (follow ? 0u : FAN_MARK_DONT_FOLLOW);
    if (::fanotify_mark(fd(), flags, mask, AT_FDCWD, path.c_str()) < 0) return errno_code();
    return {};
}

Result<std::size_t> FanotifyGroup::read(char* buf, std::size_t n, Sys& sys) {
    for (;;) {
        ssize_t r = sys.read(fd(), buf, n);
        if (r >= 0) return static_cast<std::size_t>(r);
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return std::size_t{0};
        return errno_code();
    }
}

}  // namespace fswait
