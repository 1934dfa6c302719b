#include "lib/inotify_watches.hpp"

namespace fswait {

std::string join_rel(std::string_view dir, std::string_view name) {
    std::string out(dir);
    if (!out.empty() && !name.empty()) out += '/';
    out += name;
    return out;
}

const WatchPlace& WatchTable::add(int wd, int root, std::string rel) {
    auto [it, fresh] = by_wd_.try_emplace(wd);
    if (fresh) {
        it->second = WatchPlace{root, std::move(rel)};
        by_place_[{root, it->second.rel}] = wd;
    }
    return it->second;
}

void WatchTable::relocate(int wd, int root, std::string rel) {
    auto it = by_wd_.find(wd);
    if (it == by_wd_.end()) return;
    auto old = by_place_.find({it->second.root, it->second.rel});
    if (old != by_place_.end() && old->second == wd) by_place_.erase(old);
    it->second = WatchPlace{root, std::move(rel)};
    by_place_[{root, it->second.rel}] = wd;
}

const WatchPlace* WatchTable::find(int wd) const {
    auto it = by_wd_.find(wd);
    return it == by_wd_.end() ? nullptr : &it->second;
}

int WatchTable::wd_at(int root, const std::string& rel) const {
    auto it = by_place_.find({root, rel});
    return it == by_place_.end() ? -1 : it->second;
}

void WatchTable::erase(int wd) {
    auto it = by_wd_.find(wd);
    if (it == by_wd_.end()) return;
    auto place = by_place_.find({it->second.root, it->second.rel});
    if (place != by_place_.end() && place->second == wd) by_place_.erase(place);
    by_wd_.erase(it);
}

std::vector<WatchTable::Key> WatchTable::subtree_keys(int root, const std::string& rel) const {
    std::vector<Key> keys;
    if (rel.empty()) {
        for (auto it = by_place_.lower_bound({root, std::string()}); it != by_place_.end() && it->first.first == root;
             ++it)
            keys.push_back(it->first);
        return keys;
    }
    if (by_place_.count({root, rel})) keys.push_back({root, rel});
    // "a/..." sorts after "a" and before "a0": one contiguous range.
    const std::string prefix = rel + '/';
    for (auto it = by_place_.lower_bound({root, prefix});
         it != by_place_.end() && it->first.first == root && it->first.second.starts_with(prefix); ++it)
        keys.push_back(it->first);
    return keys;
}

void WatchTable::move_subtree(int from_root, const std::string& from_rel, int to_root, const std::string& to_rel) {
    std::vector<std::pair<int, std::string>> moved;  // wd, new rel
    for (const Key& k : subtree_keys(from_root, from_rel)) {
        const int wd = by_place_[k];
        std::string_view rest = std::string_view(k.second).substr(from_rel.size());
        if (rest.starts_with('/')) rest.remove_prefix(1);
        moved.emplace_back(wd, join_rel(to_rel, rest));
        by_place_.erase(k);
    }
    // Erased first: the old and new ranges may overlap (a/b -> a).
    for (auto& [wd, rel] : moved) {
        WatchPlace& p = by_wd_[wd];
        p = WatchPlace{to_root, std::move(rel)};
        by_place_[{to_root, p.rel}] = wd;
    }
}

std::vector<int> WatchTable::take_subtree(int root, const std::string& rel) {
    std::vector<int> wds;
    for (const Key& k : subtree_keys(root, rel)) {
        const int wd = by_place_[k];
        by_place_.erase(k);
        by_wd_.erase(wd);
        wds.push_back(wd);
    }
    return wds;
}

std::vector<int> WatchTable::wds_of(int root) const {
    std::vector<int> wds;
    for (const Key& k : subtree_keys(root, {})) wds.push_back(by_place_.at(k));
    return wds;
}

}  // namespace fswait
