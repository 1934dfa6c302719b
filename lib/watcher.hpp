// The facade the tools use: watch paths, then read Events. Two backends sit
// behind it (fanotify, with process attribution; inotify, without), chosen
// at start and, for a filesystem fanotify cannot mark, per watched path.
// Knows nothing about inotifywait's command line or output.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "lib/attribution.hpp"
#include "lib/event.hpp"
#include "lib/fanotify_group.hpp"
#include "lib/result.hpp"
#include "lib/root_table.hpp"
#include "lib/tree_watch.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

// Which kernel interface watches (inotify-tools 4.x's -I, -F, -S).
enum class Backend {
    automatic,   // fanotify when privileged and possible, else inotify
    inotify,     // -I
    fanotify,    // -F: fanotify or an error
    filesystem,  // -S: fanotify, the whole filesystem of each path
};

struct WatcherOptions {
    KindSet report = kAllFileKinds;  // kinds to deliver; ignored/unmount/overflow are always delivered
    bool oneshot = false;            // a root ends after its first delivered event (inotify IN_ONESHOT)
    bool recursive = false;          // directories are watched with everything below them
    bool attribute = true;           // track processes for command and user (off: only the pid)
    std::vector<std::string> excluded;  // recursive: @path exclusions as typed
    // -S: each path stands for the whole filesystem it is on (fanotify
    // only; set by Watcher::create).
    bool whole_filesystem = false;
};

// Why inotify, not fanotify, watches (all or part): no attribution there.
struct Fallback {
    // EPERM: no CAP_SYS_ADMIN; EINVAL: a kernel before 5.9 (no file names in
    // fanotify); ENOSYS: no fanotify at all; for a path: the error fanotify
    // gave when marking it (ENODEV: FUSE and others without a filesystem id;
    // EOPNOTSUPP, EXDEV: no mark of any kind).
    std::error_code why;
    std::string path;  // "" = every path; else the path as typed
};

// The kernel interface opened first, before anything else can fail (as
// inotifywait initialises inotify before it looks at anything else).
struct OpenedBackend {
    std::optional<FanotifyGroup> group;  // fanotify
    UniqueFd inotify;                    // inotify (-I, or the fallback)
    Backend requested = Backend::automatic;
    std::optional<Fallback> fallback;    // automatic choice fell back to inotify
};

// Which interface failed, so that the tool can say it in that one's words.
struct OpenError {
    std::error_code error;
    bool inotify = false;  // inotify_init1 failed (else fanotify_init)
};

class Watcher {
public:
    // Opens the interface `requested` asks for (automatic: fanotify when the
    // process has CAP_SYS_ADMIN and the kernel reports names, else inotify).
    static std::variant<OpenedBackend, OpenError> open(Backend requested, QueuePolicy queue);
    static Result<std::unique_ptr<Watcher>> create(OpenedBackend opened, const WatcherOptions& opts);

    virtual ~Watcher() = default;

    // Watches what `path` names (its final symlink followed unless !follow).
    // Returns the root's index; naming an object that is already watched
    // returns the existing root, as inotify reuses a watch.
    virtual Result<int> add(const std::string& path, bool follow) = 0;
    virtual const Root& root(int i) const = 0;

    // Recursive mode: @path exclusions (as typed), applied by add().
    virtual void exclude(std::vector<std::string> paths) = 0;

    // The fds to wait on (ask after the last add()), each with its poll
    // events. The caller owns the one epoll loop (a nested epoll would
    // swallow mountinfo's one-shot POLLPRI) and calls dispatch(i, ...) when
    // source i is ready.
    struct PollSource {
        int fd;
        std::uint32_t events;
        bool queue = false;  // an event queue: may be left unpolled while the output is full
    };
    virtual std::vector<PollSource> poll_sources() const = 0;

    // Non-blocking: delivers what source i has now (possibly nothing).
    virtual Status dispatch(std::size_t source, std::vector<Event>& out) = 0;

    // One non-blocking read of every event queue, and how many records it
    // took; with queued_events() (what the kernel holds now, at most) a
    // caller reads what was queued at some moment and no more.
    virtual Status read_queued(std::vector<Event>& out) = 0;
    virtual std::size_t queued_events() const = 0;
    virtual std::size_t last_read_records() const = 0;

    // True when a new directory is only watched once its creation is read
    // (inotify, fanotify's mark per directory): then every read counts,
    // and a caller must not delay reads to batch them.
    virtual bool races_new_directories() const { return true; }

    // Attribution's counters (null when off or without fanotify).
    virtual std::optional<AttributionStats> attribution_stats() const { return std::nullopt; }
    // fanotify recursive mode's counters (null otherwise).
    virtual const TreeStats* tree_stats() const { return nullptr; }
    // Events dropped because no descriptor was left to name their directory
    // (EMFILE, ENFILE, even with the reserve), since the start.
    virtual std::uint64_t lost_for_fds() const { return 0; }

    // Where inotify took over from fanotify since the last call: each is to
    // be said once.
    std::vector<Fallback> take_fallbacks() { return std::exchange(fallbacks_, {}); }

    // Directories found while running that could not be watched (inotify
    // -r: a new directory and inotify_add_watch failed), since the last call.
    struct Unwatched {
        int root;
        std::string dir;  // below the root, as Event::dir
        std::error_code error;
    };
    std::vector<Unwatched> take_unwatched() { return std::exchange(unwatched_, {}); }

protected:
    void fell_back(Fallback f) { fallbacks_.push_back(std::move(f)); }
    void not_watched(Unwatched u) { unwatched_.push_back(std::move(u)); }

private:
    std::vector<Fallback> fallbacks_;
    std::vector<Unwatched> unwatched_;
};

// inotify's errors carry their own category (message: strerror), so that a
// tool can tell "upper limit on inotify watches" from fanotify's marks.
const std::error_category& inotify_category();
inline std::error_code inotify_error(int e) { return {e, inotify_category()}; }

}  // namespace fswait
