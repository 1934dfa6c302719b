// Recursive watching without a watch per directory: one FAN_MARK_FILESYSTEM
// per filesystem holding part of a tree, a DirTree to tell which directories
// are inside, and lazy evictable ignore marks so that the kernel drops most
// events from directories outside the trees.
#pragma once

#include <cstdint>
#include <deque>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lib/dir_tree.hpp"
#include "lib/event_sink.hpp"
#include "lib/fanotify_group.hpp"
#include "lib/fanotify_records.hpp"
#include "lib/file_handle.hpp"
#include "lib/result.hpp"

namespace fswait {

struct TreeStats {
    std::uint64_t records = 0;     // records that reached the tree translator
    std::uint64_t foreign = 0;     // resolved as outside every tree
    std::uint64_t fid_only = 0;    // file self events without a name: dropped without a syscall
    std::uint64_t unresolved = 0;  // directory gone (or no fd left) before it could be named
    std::uint64_t no_fds = 0;      // resolutions refused a descriptor (EMFILE, ENFILE): retried
                                   // with the reserve
    std::uint64_t no_fds_lost = 0; // ... and refused again: the event is dropped (unresolved)
};

class TreeWatch {
public:
    TreeWatch(FanotifyGroup& group, EventSink& sink, KindSet report, Sys& sys = real_sys());

    // Marks the filesystems of the tree at `path` (root index `root`) and
    // queues its seeding walk. `excluded`: @path entries, as typed.
    Status add_root(int root, const std::string& path, const FileHandle& handle, bool follow,
                    const std::vector<std::string>& excluded);

    // -S: a root stands for its whole filesystem, which must take a
    // filesystem mark; filesystems mounted below it are not watched.
    void one_filesystem() { one_filesystem_ = true; }

    void translate(const FanRecord& r);
    // Closes the mount fds a batch opened and forgets this batch's ignore
    // marks (an evicted mark must be placed again when its directory speaks).
    void end_batch();

    // Seeding runs in small steps between reads, so that events are read
    // (and the queue kept short) while a big tree is walked.
    bool seeding() const { return !queue_.empty(); }
    bool first_walk_done() const { return first_walk_done_; }
    void seed_step();

    // After a queue overflow the tree may be wrong: walk it again.
    void reseed();

    const TreeStats& stats() const { return stats_; }

    // Filesystems mounted inside a tree that take no fanotify mark at all
    // (FUSE: no filesystem id), found by add_root since the last call.
    struct Unmarked {
        int root;
        std::string rel;  // the mount point, below the root
        std::error_code error;
    };
    std::vector<Unmarked> take_unmarked() { return std::exchange(unmarked_, {}); }

private:
    struct Pending {
        std::string key;
        int root;
        std::string rel;
        bool unignore = false;  // moved in from outside: may carry ignore marks
    };
    struct RootInfo {
        std::string key;
        std::string path;                // as typed: inode-mark mode works with paths
        bool follow = true;
        // Parts on filesystems that refused a filesystem mark: (mount point,
        // rel below the root); "" = the root's own filesystem.
        std::vector<std::pair<std::string, std::string>> refused;
        std::set<std::string> excluded;  // relative paths, first walk only
    };

    // Marks the filesystems of the tree at `path`; those that refuse a
    // filesystem mark are returned as (mount point, rel below the root).
    Result<std::vector<std::pair<std::string, std::string>>> mark_filesystems(const std::string& path);
    bool excluded_dir(const std::string& key) const;
    bool inode_marked(std::string_view key) const { return inode_fsids_.count(fsid_of(key)) != 0; }
public:
    // Some part of a tree has a mark per directory (see TreeWatch above).
    bool marks_directories() const { return !inode_fsids_.empty(); }
private:
    static std::uint64_t fsid_of(std::string_view key);
    void note_ancestors(const std::string& path);
    void translate_rename(const FanRecord& r);
    void translate_dir_event(const FanRecord& r, KindSet kinds);
    void translate_entry_event(const FanRecord& r, KindSet kinds);
    void dir_deleted(int root, const std::string& rel, std::string_view parent_key, std::string_view name,
                     const FanRecord& r);
    // Where a directory is, resolving it through open_by_handle_at when the
    // tree does not know it yet.
    DirTree::Located where(std::string_view key, std::string& rel);
    bool resolve(const std::string& key);
    std::error_code resolve_once(std::string key);
    std::string lookup_child(const std::string& dir_key, const std::string& name);
    std::string mount_key(const std::string& point, const std::string& rel);
    void ignore_dir(std::string_view key);
    void unignore_dir(int dirfd);

public:
    // The directory holding a watched file (not a tree): an ignore mark there
    // would hide the file's own events.
    void protect_parent_of(const std::string& file_path);

private:
    int mount_fd_for(std::uint64_t fsid);
    // open_by_handle_at of the directory `key` names, through its filesystem.
    Result<UniqueFd> open_key(std::string_view key, int flags);
    void scan(const Pending& p, int dirfd);
    // Inode-mark mode (a filesystem that refuses FAN_MARK_FILESYSTEM: btrfs
    // subvolumes, overlayfs): every directory gets its own mark.
    bool mark_dir(int root, const std::string& rel, bool follow = false);
    void walk_marking(int root, const std::string& key, const std::string& rel, bool report);
    Status mark_refused(int root, bool first);
    std::string root_path(int root, const std::string& rel) const;

    FanotifyGroup& group_;
    EventSink& sink_;
    Sys& sys_;
    FdReserve spare_fds_;
    std::uint64_t fs_mask_ = 0;
    std::uint64_t inode_mask_ = 0;
    bool ignore_marks_ = true;
    bool one_filesystem_ = false;
    DirTree tree_;  // constructed after group_: needs its features
    std::vector<RootInfo> roots_;  // by root index (gaps for non-tree roots)
    std::unordered_map<std::uint64_t, std::vector<std::string>> mount_dirs_;  // fsid -> directories on it
    std::unordered_set<std::uint64_t> inode_fsids_;  // refused a filesystem mark: a mark per directory
    std::unordered_set<std::string> ancestors_;  // of the roots: outside, and their children include roots
    // Never ignore-marked (an ignore mark also hides the directory's own
    // events and its children's): ancestors, @excluded directories, and the
    // directories holding watched files.
    std::unordered_set<std::string> no_ignore_;
    std::unordered_set<std::string> ignored_now_;  // marked during this batch
    std::vector<Pending> queue_;  // depth first: small even under wide directories
    bool first_walk_done_ = false;  // @path exclusions apply to the first walk only
    std::unordered_map<std::uint64_t, int> step_mount_fds_;
    std::unordered_map<pid_t, std::uint32_t> pending_moves_;  // before FAN_RENAME: pair by pid
    std::string rel_, rel2_;
    TreeStats stats_;
    std::vector<Unmarked> unmarked_;
};

}  // namespace fswait
