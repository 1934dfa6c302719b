#include "lib/watcher.hpp"

#include <sys/inotify.h>

#include <cstring>

#include "lib/fanotify_watcher.hpp"
#include "lib/inotify_watcher.hpp"
#include "lib/mixed_watcher.hpp"

namespace fswait {
namespace {

class InotifyCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "inotify"; }
    std::string message(int e) const override { return std::strerror(e); }
    std::error_condition default_error_condition(int e) const noexcept override {
        return std::generic_category().default_error_condition(e);
    }
};

Result<UniqueFd> open_inotify() {
    UniqueFd fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!fd) return inotify_error(errno);
    return fd;
}

}  // namespace

const std::error_category& inotify_category() {
    static const InotifyCategory category;
    return category;
}

std::variant<OpenedBackend, OpenError> Watcher::open(Backend requested, QueuePolicy queue) {
    OpenedBackend b;
    b.requested = requested;
    if (requested != Backend::inotify) {
        auto group = FanotifyGroup::open(queue);
        if (group) {
            b.group.emplace(std::move(*group));
            return b;
        }
        if (requested != Backend::automatic) return OpenError{group.error(), false};
        // Unprivileged fanotify exists (5.13), but reports pid 0 for every
        // other process: inotify does the same job everywhere.
        b.fallback = Fallback{group.error(), {}};
    }
    auto fd = open_inotify();
    if (!fd) return OpenError{fd.error(), true};
    b.inotify = std::move(*fd);
    return b;
}

Result<std::unique_ptr<Watcher>> Watcher::create(OpenedBackend opened, const WatcherOptions& opts) {
    std::unique_ptr<Watcher> w;
    if (!opened.group) {
        w = std::make_unique<InotifyWatcher>(std::move(opened.inotify), opts);
        if (opened.fallback) w->fell_back(std::move(*opened.fallback));
    } else if (opened.requested == Backend::automatic) {
        w = std::make_unique<MixedWatcher>(std::move(*opened.group), opts);
    } else {
        WatcherOptions o = opts;
        o.whole_filesystem = opened.requested == Backend::filesystem;
        w = std::make_unique<FanotifyWatcher>(std::move(*opened.group), o);
    }
    return w;
}

}  // namespace fswait
