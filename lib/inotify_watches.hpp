// Which directory (or file) each inotify watch descriptor stands for: a
// root and a path below it. Pure bookkeeping, no syscalls: the inotify
// backend keeps it current as directories are made, renamed and removed.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace fswait {

struct WatchPlace {
    int root = -1;
    std::string rel;  // below the root, as Event::dir ("" = the root itself)
};

// "a" + "b" -> "a/b"; either side may be empty.
std::string join_rel(std::string_view dir, std::string_view name);

class WatchTable {
public:
    // Records wd at (root, rel) and returns its place. A wd that is known
    // already keeps the place it had: the kernel reuses a watch for an
    // object watched twice, and inotifywait names it as first registered.
    const WatchPlace& add(int wd, int root, std::string rel);
    // Moves one known wd to a new place (it was found there after events
    // were lost).
    void relocate(int wd, int root, std::string rel);

    const WatchPlace* find(int wd) const;
    // The wd watching (root, rel), or -1.
    int wd_at(int root, const std::string& rel) const;

    // Forgets wd. The place keeps a newer wd that has taken it meanwhile.
    void erase(int wd);

    // Every watch at or below (from_root, from_rel) now lives at or below
    // (to_root, to_rel): a directory renamed inside the watched trees.
    void move_subtree(int from_root, const std::string& from_rel, int to_root, const std::string& to_rel);
    // Forgets the watches at or below (root, rel) and returns their wds.
    std::vector<int> take_subtree(int root, const std::string& rel);
    // The wds of one root's tree.
    std::vector<int> wds_of(int root) const;

    std::size_t size() const { return by_wd_.size(); }

private:
    using Key = std::pair<int, std::string>;
    // The keys at or below (root, rel), in order.
    std::vector<Key> subtree_keys(int root, const std::string& rel) const;

    std::unordered_map<int, WatchPlace> by_wd_;
    std::map<Key, int> by_place_;  // ordered: a subtree is one range
};

}  // namespace fswait
