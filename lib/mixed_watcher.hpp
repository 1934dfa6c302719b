// fanotify for every path it can mark, inotify for the others (FUSE and
// other filesystems without a filesystem id): one root numbering over both.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lib/fanotify_watcher.hpp"
#include "lib/inotify_watcher.hpp"
#include "lib/watcher.hpp"

namespace fswait {

// The errors with which fanotify refuses a filesystem, not a path.
bool fanotify_cannot_mark(std::error_code ec);

class MixedWatcher final : public Watcher {
public:
    MixedWatcher(FanotifyGroup group, const WatcherOptions& opts);

    Result<int> add(const std::string& path, bool follow) override;
    const Root& root(int i) const override;
    void exclude(std::vector<std::string> paths) override;
    std::vector<PollSource> poll_sources() const override;
    Status dispatch(std::size_t source, std::vector<Event>& out) override;
    Status read_queued(std::vector<Event>& out) override;
    std::size_t queued_events() const override;
    std::size_t last_read_records() const override { return last_read_; }
    bool races_new_directories() const override { return ino_ || fan_->races_new_directories(); }
    std::optional<AttributionStats> attribution_stats() const override { return fan_->attribution_stats(); }
    const TreeStats* tree_stats() const override { return fan_->tree_stats(); }
    std::uint64_t lost_for_fds() const override { return fan_->lost_for_fds(); }

private:
    struct Part {
        Watcher* backend;
        std::vector<int> to_global;  // the backend's root index -> ours
        // A filesystem mounted inside one of our trees that fanotify could
        // not mark: its root's events belong to our tree, below this path.
        std::vector<std::string> below;
    };
    int global_root(Part& part, int local);
    Status open_inotify();
    Status watch_unmarked(int tree_root);
    // Events the backend appended from `first` on get our root numbers.
    void renumber(Part& part, std::vector<Event>& out, std::size_t first);
    Part* part_of(std::size_t& source);

    WatcherOptions opts_;
    std::unique_ptr<FanotifyWatcher> fan_;
    std::unique_ptr<InotifyWatcher> ino_;
    Part fan_part_, ino_part_;
    std::vector<std::pair<Watcher*, int>> roots_;  // ours -> (backend, its index)
    mutable std::size_t fan_sources_ = 0;
    std::size_t last_read_ = 0;
};

}  // namespace fswait
