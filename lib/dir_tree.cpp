#include "lib/dir_tree.hpp"

#include <algorithm>
#include <cstring>

namespace fswait {
namespace {

// Deeper than any real tree (PATH_MAX allows ~2048 levels): a loop in the
// links must never hang the reader.
constexpr int kMaxDepth = 1 << 16;

}  // namespace

std::string_view handle_key(const HandleView& h, std::string& buf) {
    buf.resize(12 + h.bytes.size());
    std::memcpy(buf.data(), &h.fsid, 8);
    std::memcpy(buf.data() + 8, &h.type, 4);
    std::memcpy(buf.data() + 12, h.bytes.data(), h.bytes.size());
    return buf;
}

std::string DirTree::child_key(std::string_view parent, std::string_view name) {
    std::string k;
    k.reserve(parent.size() + 1 + name.size());
    k.append(parent).push_back('/');
    k.append(name);
    return k;
}

DirTree::Node& DirTree::node(std::string_view key) {
    auto it = nodes_.find(key);
    if (it == nodes_.end()) it = nodes_.emplace(std::string(key), Node{}).first;
    it->second.key = &it->first;
    return it->second;
}

DirTree::Node* DirTree::find_node(std::string_view key) {
    auto it = nodes_.find(key);
    return it == nodes_.end() ? nullptr : &it->second;
}

const DirTree::Node* DirTree::find_node(std::string_view key) const {
    auto it = nodes_.find(key);
    return it == nodes_.end() ? nullptr : &it->second;
}

// Unlinks n from its parent (and from the name index).
void DirTree::detach(Node& n) {
    if (index_names_ && n.parent) {
        auto it = children_.find(child_key(*n.parent->key, n.name));
        if (it != children_.end() && it->second == *n.key) children_.erase(it);
    }
    Node* p = std::exchange(n.parent, nullptr);
    if (p) {
        --p->children;
        collect(p);
    }
}

// Drops a placeholder nobody refers to any more.
void DirTree::collect(Node* n) {
    while (n && !n->known && n->children == 0 && n->root < 0) {
        Node* p = std::exchange(n->parent, nullptr);
        if (p) --p->children;
        nodes_.erase(*n->key);
        n = p;
    }
}

void DirTree::set_root(std::string_view key, int root) {
    Node& n = node(key);
    detach(n);
    n.root = root;
    n.outside = false;
    n.known = true;
}

void DirTree::add(std::string_view key, std::string_view parent, std::string_view name) {
    Node& n = node(key);
    if (n.root >= 0) return;  // a root stays a root
    Node& p = node(parent);
    if (n.parent != &p || n.name != name) {
        // Count the new link first: detaching may collect placeholders, and
        // p must not be one of them.
        ++p.children;
        detach(n);
        n.parent = &p;
        n.name = std::string(name);
        if (index_names_) children_[child_key(parent, name)] = std::string(key);
    }
    n.outside = false;
    n.known = true;
}

void DirTree::set_outside(std::string_view key) {
    Node& n = node(key);
    if (n.root >= 0) return;
    detach(n);
    n.outside = true;
    n.known = true;
}

void DirTree::exclude(std::string_view key, std::string_view parent, std::string_view name) {
    add(key, parent, name);
    Node* n = find_node(key);
    if (n && n->root < 0) n->outside = true;
}

std::pair<std::string_view, std::string_view> DirTree::parent_of(std::string_view key) const {
    const Node* n = find_node(key);
    if (!n || !n->parent) return {};
    return {*n->parent->key, n->name};
}

void DirTree::move(std::string_view key, const std::string_view* parent, std::string_view name) {
    if (!parent) return set_outside(key);
    add(key, *parent, name);
}

void DirTree::remove(std::string_view key) {
    Node* n = find_node(key);
    if (!n) return;
    // A directory is empty when it is deleted; should the tree still hold
    // something below it (events were lost), keep it as a placeholder so
    // that no link dangles: walks through it then report "unknown".
    detach(*n);
    n->known = false;
    n->outside = false;
    n->root = -1;
    collect(n);
}

DirTree::Located DirTree::locate(std::string_view key, std::string& rel) const {
    rel.clear();
    std::vector<const std::string*> names;
    Located out;
    const Node* n = find_node(key);
    for (int depth = 0; depth < kMaxDepth; ++depth) {
        if (!n || !n->known) {
            out.missing = n ? std::string_view(*n->key) : key;
            return out;
        }
        if (n->root >= 0) {
            out.state = State::inside;
            out.root = n->root;
            for (auto name = names.rbegin(); name != names.rend(); ++name) {
                if (!rel.empty()) rel.push_back('/');
                rel.append(**name);
            }
            return out;
        }
        if (n->outside || !n->parent) {
            out.state = State::outside;
            return out;
        }
        names.push_back(&n->name);
        n = n->parent;
    }
    out.state = State::outside;
    return out;
}

bool DirTree::contains(std::string_view key) const {
    const Node* n = find_node(key);
    return n && n->known;
}

std::string_view DirTree::child(std::string_view parent, std::string_view name) const {
    auto it = children_.find(child_key(parent, name));
    return it == children_.end() ? std::string_view{} : std::string_view(it->second);
}

void DirTree::clear() {
    nodes_.clear();
    children_.clear();
}

}  // namespace fswait
