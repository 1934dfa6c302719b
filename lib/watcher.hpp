// The facade the tools use: watch paths, then read Events. Knows fanotify;
// knows nothing about inotifywait's command line or output.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/child_dirs.hpp"
#include "lib/event_sink.hpp"
#include "lib/event.hpp"
#include "lib/fanotify_group.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/attribution.hpp"
#include "lib/result.hpp"
#include "lib/root_table.hpp"
#include "lib/tree_watch.hpp"
#include "lib/unique_fd.hpp"
#include "lib/user_names.hpp"

namespace fswait {

struct WatcherOptions {
    KindSet report = kAllFileKinds;  // kinds to deliver; ignored/unmount/overflow are always delivered
    bool oneshot = false;            // a root ends after its first delivered event (inotify IN_ONESHOT)
    bool recursive = false;          // directories are watched with everything below them
    bool attribute = true;           // track processes for command and user (off: only the pid)
    std::vector<std::string> excluded;  // recursive: @path exclusions as typed
};

class Watcher : private EventSink {
public:
    // EPERM: no CAP_SYS_ADMIN, so fanotify could not say who did what.
    static Result<std::unique_ptr<Watcher>> create(const WatcherOptions& opts);
    // With a group opened beforehand (so that its errors come first).
    static Result<std::unique_ptr<Watcher>> create(FanotifyGroup group, const WatcherOptions& opts);

    // Places an inode mark on what `path` names (its final symlink followed
    // unless !follow). Returns the root's index; naming an object that is
    // already watched returns the existing root, as inotify reuses a watch.
    Result<int> add(const std::string& path, bool follow);

    const Root& root(int i) const { return roots_[i]; }

    // Recursive mode: @path exclusions (as typed), applied by add().
    void exclude(std::vector<std::string> paths) { opts_.excluded = std::move(paths); }

    // The fds to wait on, each with its poll events. The caller owns the one
    // epoll loop (a nested epoll would swallow mountinfo's one-shot POLLPRI)
    // and calls dispatch(i, ...) when source i is ready.
    struct PollSource {
        int fd;
        std::uint32_t events;
    };
    std::vector<PollSource> poll_sources() const;

    // Non-blocking: delivers what source i has now (possibly nothing).
    Status dispatch(std::size_t source, std::vector<Event>& out);

    // How many events the kernel holds for us now, and how many records the
    // last read of source 0 took.
    std::size_t queued_events() const;
    std::size_t last_read_records() const { return last_read_; }

    // Attribution's counters (null when off).
    std::optional<AttributionStats> attribution_stats() const {
        if (!attribution_) return std::nullopt;
        return attribution_->stats();
    }

    // Recursive mode's counters (null otherwise).
    const TreeStats* tree_stats() const { return tree_ ? &tree_->stats() : nullptr; }

    // Events dropped because no descriptor was left to name their directory
    // (EMFILE, ENFILE, even with the reserve), since the start.
    std::uint64_t lost_for_fds() const {
        return children_.no_fds_lost() + (tree_ ? tree_->stats().no_fds_lost : 0);
    }

private:
    Watcher(FanotifyGroup group, const WatcherOptions& opts);
    Status read_events();  // into out_
    void drain_tasks();
    void check_unmounts(std::vector<Event>& out);
    void seed(int root, const std::string& path, bool follow);
    void sync_seeding();
    void track_dirs(const FanRecord& r, KindSet kinds);
    void translate(const FanRecord& r);
    void translate_inode_marks(const FanRecord& r, bool dirs);
    void translate_rename(const FanRecord& r);
    void end_root(int root);
    void repair_after_overflow();

    // EventSink
    void deliver(int root, Kind kind, bool is_dir, std::string_view dir, std::string_view name,
                 std::uint32_t cookie, pid_t pid) override;
    void ignored(int root, std::string_view dir) override;
    std::uint32_t next_cookie() override;

    FanotifyGroup group_;
    WatcherOptions opts_;
    UniqueFd mountinfo_;
    UniqueFd seed_ready_;  // eventfd, readable while the tree walk has work
    bool seed_armed_ = false;
    std::unique_ptr<TreeWatch> tree_;
    std::vector<Event>* out_ = nullptr;  // the batch being filled
    RootTable roots_;
    ChildDirs children_{roots_};
    std::unique_ptr<Attribution> attribution_;
    mutable std::vector<std::size_t> source_kinds_;  // poll source index -> what it is
    std::vector<char> buf_;
    std::size_t last_read_ = 0;
    std::vector<FanRecord> records_;
    timespec now_{};
    pid_t self_;
    std::uint32_t cookie_ = 0;
    std::unordered_map<pid_t, std::uint32_t> pending_moves_;  // pre-5.17 rename pairing
};

}  // namespace fswait
