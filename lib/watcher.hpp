// The facade the tools use: watch paths, then read Events. Knows fanotify;
// knows nothing about inotifywait's command line or output.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/child_dirs.hpp"
#include "lib/event.hpp"
#include "lib/fanotify_group.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/process_table.hpp"
#include "lib/result.hpp"
#include "lib/root_table.hpp"
#include "lib/unique_fd.hpp"
#include "lib/user_names.hpp"

namespace fswait {

struct WatcherOptions {
    KindSet report = kAllFileKinds;  // kinds to deliver; ignored/unmount/overflow are always delivered
    bool oneshot = false;            // a root ends after its first delivered event (inotify IN_ONESHOT)
};

class Watcher {
public:
    // EPERM: no CAP_SYS_ADMIN, so fanotify could not say who did what.
    static Result<std::unique_ptr<Watcher>> create(const WatcherOptions& opts);

    // Places an inode mark on what `path` names (its final symlink followed
    // unless !follow). Returns the root's index; naming an object that is
    // already watched returns the existing root, as inotify reuses a watch.
    Result<int> add(const std::string& path, bool follow);

    const Root& root(int i) const { return roots_[i]; }

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

private:
    Watcher(FanotifyGroup group, const WatcherOptions& opts);
    Status read_events(std::vector<Event>& out);
    void check_unmounts(std::vector<Event>& out);
    void seed(int root, const std::string& path, bool follow);
    void track_dirs(const FanRecord& r, KindSet kinds);
    void translate(const FanRecord& r, std::vector<Event>& out);
    void translate_rename(const FanRecord& r, std::vector<Event>& out);
    void deliver(int root, Kind kind, bool is_dir, std::string_view name, std::uint32_t cookie,
                 const FanRecord& r, std::vector<Event>& out);
    void end_root(int root, std::vector<Event>& out);
    std::uint32_t next_cookie();

    FanotifyGroup group_;
    WatcherOptions opts_;
    UniqueFd mountinfo_;
    RootTable roots_;
    ChildDirs children_{roots_};
    UserNames users_;
    ProcessTable processes_{users_};
    std::vector<char> buf_;
    std::vector<FanRecord> records_;
    timespec now_{};
    pid_t self_;
    std::uint32_t cookie_ = 0;
    std::unordered_map<pid_t, std::uint32_t> pending_moves_;  // pre-5.17 rename pairing
};

}  // namespace fswait
