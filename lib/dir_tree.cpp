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

void DirTree::unlink_child(const Node& n, std::string_view key) {
    if (n.parent.empty()) return;
    auto it = children_.find(child_key(n.parent, n.name));
    if (it != children_.end() && it->second == key) children_.erase(it);
}

void DirTree::set_root(std::string_view key, int root) {
    auto& n = nodes_[std::string(key)];
    unlink_child(n, key);
    n = Node{};
    n.root = root;
}

void DirTree::add(std::string_view key, std::string_view parent, std::string_view name) {
    auto [it, fresh] = nodes_.try_emplace(std::string(key));
    Node& n = it->second;
    if (!fresh && n.root >= 0) return;  // a root stays a root
    if (!fresh) unlink_child(n, key);
    n.parent = std::string(parent);
    n.name = std::string(name);
    n.outside = false;
    children_[child_key(parent, name)] = std::string(key);
}

void DirTree::set_outside(std::string_view key) {
    auto& n = nodes_[std::string(key)];
    if (n.root >= 0) return;
    unlink_child(n, key);
    n.parent.clear();
    n.outside = true;
}

void DirTree::exclude(std::string_view key, std::string_view parent, std::string_view name) {
    add(key, parent, name);
    auto it = nodes_.find(key);
    if (it != nodes_.end() && it->second.root < 0) it->second.outside = true;
}

std::pair<std::string_view, std::string_view> DirTree::parent_of(std::string_view key) const {
    auto it = nodes_.find(key);
    if (it == nodes_.end()) return {};
    return {it->second.parent, it->second.name};
}

void DirTree::move(std::string_view key, const std::string_view* parent, std::string_view name) {
    if (!parent) return set_outside(key);
    add(key, *parent, name);
}

void DirTree::remove(std::string_view key) {
    auto it = nodes_.find(key);
    if (it == nodes_.end()) return;
    unlink_child(it->second, key);
    nodes_.erase(it);
}

DirTree::Located DirTree::locate(std::string_view key, std::string& rel) const {
    rel.clear();
    std::vector<std::string_view> names;
    Located out;
    for (int depth = 0; depth < kMaxDepth; ++depth) {
        auto it = nodes_.find(key);
        if (it == nodes_.end()) {
            out.missing = key;
            return out;
        }
        const Node& n = it->second;
        if (n.root >= 0) {
            out.state = State::inside;
            out.root = n.root;
            for (auto name = names.rbegin(); name != names.rend(); ++name) {
                if (!rel.empty()) rel.push_back('/');
                rel.append(*name);
            }
            return out;
        }
        if (n.outside || n.parent.empty()) {
            out.state = State::outside;
            return out;
        }
        names.push_back(n.name);
        key = n.parent;
    }
    out.state = State::outside;
    return out;
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
