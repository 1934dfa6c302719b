// Recursive watching with inotify, as inotifywait 3.22.6 does it: one watch
// per directory, placed by walking the tree with opendir/readdir (the same
// syscalls in the same order, so that the kernel reports the same events of
// our own scans as it does for inotifywait), and kept current by the caller
// from the event stream.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/inotify_watches.hpp"
#include "lib/result.hpp"

namespace fswait {

class InotifyTree {
public:
    // `fd`: the inotify instance (not owned). `mask`: what every watch asks
    // for (IN_* events plus IN_ONESHOT / IN_DONT_FOLLOW as given).
    InotifyTree(int fd, std::uint32_t mask);

    WatchTable& table() { return table_; }
    const WatchTable& table() const { return table_; }

    // Remembers how root `root` was typed (paths below it are spelled from
    // it, as inotifywait spells them) and which object it is.
    void set_root(int root, const std::string& typed, dev_t dev, ino_t ino);
    // "w/a/b/": the root as typed, a '/', rel and a '/' (rel "" -> "w/").
    std::string path_of(int root, const std::string& rel) const;

    // The first walk of a tree: every directory below `path` (symlinks not
    // followed; @path `excluded` entries skipped) and `path` itself get a
    // watch, each after its subdirectories, as inotifywait adds them.
    // Returns (wd, rel) in that order, the top last; nothing is registered
    // yet (the caller knows the root index only then: see adopt()).
    struct Walked {
        int wd;
        std::string rel;
    };
    Result<std::vector<Walked>> walk(const std::string& path, const std::vector<std::string>& excluded);
    // Registers what walk() found as root `root`, or, when the top was
    // watched already (a root inside another tree), below its owner.
    // Returns the root the top belongs to.
    int adopt(int root, const std::vector<Walked>& walked);

    // A directory that appeared at (root, rel) while running: watched with
    // everything below it. Each directory is watched before it is read (so
    // that nothing made in it meanwhile is missed), at first without the
    // kinds our reading causes, then with the full mask: the kernel reports
    // our reading only to the parent, as it does inotifywait's (which
    // watches after reading). With `found`, what the reading found (and
    // below) is appended there, in walk order, for the caller to report.
    struct Found {
        int wd;  // the watch of the directory holding it
        int root;
        std::string rel;  // that directory
        std::string name;
        bool is_dir;
    };
    Status watch_new(int root, const std::string& rel, std::vector<Found>* found);

    // After lost events: walks root `root` again, watching what is new,
    // moving what moved, forgetting (and unwatching) what is gone. Every
    // (wd, name) our listing made the kernel report (OPEN, ACCESS and
    // CLOSE_NOWRITE on a directory) is added to `self`.
    void rewalk(int root, std::set<std::pair<int, std::string>>& self);

    // Forgets (and unwatches) the watches at or below (root, rel): the
    // directory left the watched trees. Returns their wds.
    std::vector<int> drop_subtree(int root, const std::string& rel);

private:
    struct RootPath {
        std::string spelled;  // typed, with one '/' appended unless it ends with one
        dev_t dev = 0;
        ino_t ino = 0;
    };

    Status walk_dir(const std::string& open_path, const std::string& spelled, const std::string& rel,
                    const std::vector<std::string>& excluded, std::vector<Walked>& out);
    Status scan_new(int root, const std::string& rel, const std::string& path, std::vector<Found>* found,
                    bool relocate);
    void rewalk_dir(int root, const std::string& rel, const std::string& path, int parent_wd,
                    const std::string& name, std::set<int>& seen, std::set<std::pair<int, std::string>>& self);

    int fd_;
    std::uint32_t mask_;
    std::uint32_t quiet_mask_;  // mask_ without our own scan's events
    WatchTable table_;
    std::vector<RootPath> roots_;                  // by root index
    std::set<std::pair<int, std::string>> excluded_;  // (root, rel) skipped by the first walk
    std::vector<std::string> walk_excluded_;       // rels the last walk() skipped
};

// Whether `candidate` (a directory as the walk spells it, with a trailing
// '/') is one of the @path exclusions: equal as strings, a trailing '/' on
// the exclusion tolerated (inotifywait's comparison).
bool walk_excludes(const std::string& candidate, const std::vector<std::string>& excluded);

}  // namespace fswait
