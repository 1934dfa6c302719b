// The fanotify backend: inode marks for plain watches, filesystem marks (or
// a mark per directory) for trees, and process attribution.
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
#include "lib/watcher.hpp"

namespace fswait {

class FanotifyWatcher final : public Watcher, private EventSink {
public:
    FanotifyWatcher(FanotifyGroup group, const WatcherOptions& opts);

    // Places an inode mark on what `path` names (its final symlink followed
    // unless !follow). Returns the root's index; naming an object that is
    // already watched returns the existing root, as inotify reuses a watch.
    Result<int> add(const std::string& path, bool follow) override;

    const Root& root(int i) const override { return roots_[i]; }

    // Recursive mode: @path exclusions (as typed), applied by add().
    void exclude(std::vector<std::string> paths) override { opts_.excluded = std::move(paths); }

    std::vector<PollSource> poll_sources() const override;
    // Plain inode marks are placed before events can happen in them: only
    // a tree with a mark per directory races new directories.
    bool races_new_directories() const override { return tree_ && tree_->marks_directories(); }

    Status dispatch(std::size_t source, std::vector<Event>& out) override;
    Status read_queued(std::vector<Event>& out) override;
    std::size_t queued_events() const override;
    std::size_t last_read_records() const override { return last_read_; }

    // Attribution's counters (null when off).
    std::optional<AttributionStats> attribution_stats() const override {
        if (!attribution_) return std::nullopt;
        return attribution_->stats();
    }

    // Recursive mode's counters (null otherwise).
    const TreeStats* tree_stats() const override { return tree_ ? &tree_->stats() : nullptr; }

    // Events dropped because no descriptor was left to name their directory
    // (EMFILE, ENFILE, even with the reserve), since the start.
    // Filesystems inside trees that took no mark at all (see TreeWatch).
    std::vector<TreeWatch::Unmarked> take_unmarked() {
        return tree_ ? tree_->take_unmarked() : std::vector<TreeWatch::Unmarked>{};
    }

    std::uint64_t lost_for_fds() const override {
        return children_.no_fds_lost() + (tree_ ? tree_->stats().no_fds_lost : 0);
    }

private:
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
    mutable bool exec_marked_ = false;
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
