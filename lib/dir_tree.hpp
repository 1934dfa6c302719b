// The directory-handle tree behind recursive watching: every directory
// fswait knows, keyed by its file handle, with its parent and name. A path
// is a walk up parent links, so a rename re-parents one node and every
// descendant follows. Directories only: file handles go stale on rename.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "lib/fanotify_records.hpp"

namespace fswait {

// Handle identity as one byte string (fsid, type, bytes), so that lookups
// straight from a read buffer need no allocation.
std::string_view handle_key(const HandleView& h, std::string& buf);

class DirTree {
public:
    // index_names: keep a (parent, name) -> directory index, for kernels that
    // do not put the child's handle in entry events (before 5.17).
    explicit DirTree(bool index_names = true) : index_names_(index_names) {}

    enum class State { inside, outside, unknown };

    struct Located {
        State state = State::unknown;
        int root = -1;          // inside: the root the directory is under
        std::string_view missing;  // unknown: key of the first ancestor not in the tree
    };

    // Node operations take keys made by handle_key().
    void set_root(std::string_view key, int root);
    // `key` is the subdirectory `name` of `parent` (seeding, mkdir, move-in).
    void add(std::string_view key, std::string_view parent, std::string_view name);
    // A directory known to be outside every tree (or excluded with @path):
    // walks stop there.
    void set_outside(std::string_view key);
    // An @path exclusion: the directory keeps its place under its parent (its
    // own events still count as entry events of the parent) but walks from
    // below stop there, as outside.
    void exclude(std::string_view key, std::string_view parent, std::string_view name);
    // Moves the node to (parent, name); a null parent moves it out of every
    // tree: it and everything below it is outside from now on.
    void move(std::string_view key, const std::string_view* parent, std::string_view name);
    void remove(std::string_view key);

    // Where the directory `key` is. For an inside directory, rel receives
    // its path below the root ("" for the root itself, "a/b" otherwise).
    Located locate(std::string_view key, std::string& rel) const;

    // The parent key and entry name of `key` (empty views when unknown).
    std::pair<std::string_view, std::string_view> parent_of(std::string_view key) const;

    // The child directory `name` of `parent`, or an empty view.
    std::string_view child(std::string_view parent, std::string_view name) const;
    bool contains(std::string_view key) const;
    std::size_t size() const { return nodes_.size(); }
    void clear();

private:
    struct Node {
        const std::string* key = nullptr;  // this node's key in nodes_ (stable)
        Node* parent = nullptr;            // map nodes never move, so links stay valid
        std::string name;
        std::uint32_t children = 0;        // nodes whose parent is this one
        int root = -1;
        bool outside = false;
        bool known = false;  // false: only a parent someone named, not yet seen
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
    };
    using Map = std::unordered_map<std::string, Node, Hash, std::equal_to<>>;

    static std::string child_key(std::string_view parent, std::string_view name);
    Node& node(std::string_view key);
    Node* find_node(std::string_view key);
    const Node* find_node(std::string_view key) const;
    void detach(Node& n);
    void collect(Node* n);

    bool index_names_;
    Map nodes_;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> children_;  // parent+'/'+name -> key
};

}  // namespace fswait
