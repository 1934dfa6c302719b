// The inotify backend: what inotifywait does, watch for watch, for users
// fanotify cannot serve (no CAP_SYS_ADMIN, a kernel before 5.9, a
// filesystem without a filesystem id). No process attribution: pid 0.
#pragma once

#include <string>
#include <vector>

#include "lib/watcher.hpp"

namespace fswait {

class InotifyWatcher final : public Watcher {
public:
    // `fd`: from inotify_init1(IN_NONBLOCK | IN_CLOEXEC).
    InotifyWatcher(UniqueFd fd, const WatcherOptions& opts);
    ~InotifyWatcher() override;

    Result<int> add(const std::string& path, bool follow) override;
    const Root& root(int i) const override;
    void exclude(std::vector<std::string> paths) override;
    std::vector<PollSource> poll_sources() const override;
    Status dispatch(std::size_t source, std::vector<Event>& out) override;
    Status read_queued(std::vector<Event>& out) override;
    std::size_t queued_events() const override;
    std::size_t last_read_records() const override;

private:
    struct State;
    std::unique_ptr<State> s_;
};

}  // namespace fswait
