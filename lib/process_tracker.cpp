#include "lib/process_tracker.hpp"

#include <algorithm>

namespace fswait {

ProcessTracker::Generation* ProcessTracker::alive_at(Pid& p, std::uint64_t t) {
    for (auto it = p.gens.rbegin(); it != p.gens.rend(); ++it)
        if (it->start <= t) return it->end >= t ? &*it : nullptr;
    return nullptr;
}

ProcessTracker::Generation& ProcessTracker::open_generation(pid_t pid, std::uint64_t start) {
    Pid& p = pids_[pid];
    // A fork of a pid whose exit was never seen (a lost record): it ended.
    if (!p.gens.empty() && p.gens.back().end == kNever) end_generation(pid, p.gens.back(), start);
    Generation& g = p.gens.emplace_back();
    g.start = start;
    ++live_generations_;
    return g;
}

void ProcessTracker::end_generation(pid_t pid, Generation& g, std::uint64_t t) {
    g.end = t;
    exits_.emplace_back(t, pid);
}

void ProcessTracker::add_change(Generation& g, Change c) {
    auto pos = std::upper_bound(g.changes.begin(), g.changes.end(), c.t,
                                [](std::uint64_t t, const Change& x) { return t < x.t; });
    g.changes.insert(pos, std::move(c));
    g.cached.reset();
    g.cached_at = std::numeric_limits<std::size_t>::max();
}

void ProcessTracker::ingest(const TaskRecord& r) {
    ++stats_.records;
    if (r.pid <= 0) return;  // a process outside our pid namespace
    using Type = TaskRecord::Type;
    switch (r.type) {
    case Type::exists: {
        Pid& p = pids_[r.pid];
        if (!p.gens.empty() && p.gens.back().end == kNever) return;  // records told us first
        Generation& g = open_generation(r.pid, p.gens.empty() ? 0 : r.t);
        g.comm = r.comm;
        g.uid = r.euid;
        g.exe = r.exe;
        return;
    }
    case Type::fork: {
        // The child starts as a copy of its parent at that moment.
        std::string comm, exe;
        std::optional<uid_t> uid;
        if (auto it = pids_.find(r.parent); it != pids_.end())
            if (Generation* pg = alive_at(it->second, r.t)) {
                auto s = state(r.parent, *pg, r.t);
                comm = s->comm;
                uid = s->uid;
                exe = s->exe;
            }
        // A record of this process that came before its fork record (two
        // sources, read one after the other) opened a generation of its own
        // without a start: that generation is this process.
        if (auto it = pids_.find(r.pid); it != pids_.end() && !it->second.gens.empty()) {
            Generation& last = it->second.gens.back();
            if (last.end == kNever && last.implicit && last.start >= r.t) {
                last.start = r.t;
                last.implicit = false;
                last.comm = std::move(comm);
                last.uid = uid;
                last.exe = std::move(exe);
                last.cached.reset();
                return;
            }
        }
        Generation& g = open_generation(r.pid, r.t);
        g.comm = std::move(comm);
        g.uid = uid;
        g.exe = std::move(exe);
        return;
    }
    case Type::exit: {
        auto it = pids_.find(r.pid);
        if (it == pids_.end()) return;
        Generation* g = alive_at(it->second, r.t);
        if (g && g->end == kNever) end_generation(r.pid, *g, r.t);
        return;
    }
    case Type::exec:
    case Type::rename:
    case Type::uid: break;
    }
    Pid& p = pids_[r.pid];
    Generation* g = alive_at(p, r.t);
    if (!g) {
        g = &open_generation(r.pid, r.t);  // its fork was not seen (yet)
        g->implicit = true;
    }
    Change c{r.t, Change::What::uid, {}, {}, {}, 0, false};
    if (r.type == Type::uid) {
        if (!r.euid) return;
        c.uid = *r.euid;
    } else {
        c.what = r.type == Type::exec ? Change::What::exec : Change::What::rename;
        c.comm = truncate_comm(r.comm);
        // The exec was read in-band before its record was written (perf
        // writes it a moment after the exec): this record completes that
        // change. Added as a change of its own, after it, its unknown exe
        // would hide the in-band one.
        if (c.what == Change::What::exec && complete_in_band_exec(*g, c.comm)) return;
    }
    add_change(*g, std::move(c));
}

std::shared_ptr<const Process> ProcessTracker::state(pid_t pid, Generation& g, std::uint64_t t) {
    auto end = std::upper_bound(g.changes.begin(), g.changes.end(), t,
                                [](std::uint64_t t, const Change& x) { return t < x.t; });
    std::size_t n = static_cast<std::size_t>(end - g.changes.begin());
    if (g.cached && g.cached_at == n) return g.cached;
    auto p = std::make_shared<Process>();
    p->pid = pid;
    p->comm = g.comm;
    p->uid = g.uid;
    p->exe = g.exe;
    for (std::size_t i = 0; i < n; ++i) {
        const Change& c = g.changes[i];
        switch (c.what) {
        case Change::What::exec:
            p->comm = c.comm.empty() ? c.binary : c.comm;
            p->exe = c.exe;
            break;
        case Change::What::rename: p->comm = c.comm; break;
        case Change::What::uid: p->uid = c.uid; break;
        }
    }
    if (p->uid) p->user = users_.name(*p->uid);
    g.cached = p;
    g.cached_at = n;
    return p;
}

// The first exec record after the last matched one, from the queue's current
// generation on.
std::pair<std::size_t, const ProcessTracker::Change*> ProcessTracker::next_exec(const Pid& p) const {
    for (std::size_t i = p.floor; i < p.gens.size(); ++i) {
        const Change* candidate = nullptr;
        for (const Change& c : p.gens[i].changes) {
            if (c.what != Change::What::exec) continue;
            if (c.matched) candidate = nullptr;
            else if (!candidate) candidate = &c;
        }
        if (candidate) return {i, candidate};
    }
    return {0, nullptr};
}

std::uint64_t ProcessTracker::next_exec_time(pid_t pid) const {
    auto it = pids_.find(pid);
    if (it == pids_.end()) return kNever;
    auto [gen, change] = next_exec(it->second);
    return change ? change->t : kNever;
}

bool ProcessTracker::complete_in_band_exec(Generation& g, std::string& comm) {
    for (auto it = g.changes.rbegin(); it != g.changes.rend(); ++it) {
        if (it->what != Change::What::exec) continue;
        if (!it->in_band_only) return false;
        it->comm = std::move(comm);
        it->in_band_only = false;
        g.cached.reset();
        g.cached_at = std::numeric_limits<std::size_t>::max();
        return true;
    }
    return false;
}

void ProcessTracker::exec_seen(pid_t pid, std::string_view binary, std::uint64_t hi, std::string_view exe) {
    if (pid <= 0) return;
    Pid& p = pids_[pid];
    auto [gi, found] = next_exec(p);
    if (found) {
        Generation& g = p.gens[gi];
        Change& c = g.changes[static_cast<std::size_t>(found - g.changes.data())];
        c.matched = true;
        c.binary = truncate_comm(binary);
        c.exe = std::string(exe);
        g.cached.reset();
        p.floor = gi;
        p.lo = c.t;
        ++stats_.matched_execs;
        return;
    }
    // No record of this exec (a source lost it, or none runs): all we know
    // is that it happened before the batch was read, and the binary's name.
    ++stats_.unmatched_execs;
    if (p.gens.empty() || p.gens.back().end != kNever) open_generation(pid, lower_bound_);
    p.floor = p.gens.size() - 1;
    add_change(p.gens.back(), Change{hi, Change::What::exec, {}, truncate_comm(binary), std::string(exe), 0, true, true});
}

ProcessTracker::Who ProcessTracker::attribute(pid_t pid, std::uint64_t before) {
    auto it = pids_.find(pid);
    if (pid <= 0 || it == pids_.end() || it->second.gens.empty()) {
        ++stats_.unknown;
        return {};
    }
    Pid& p = it->second;
    const std::uint64_t lo = std::max(lower_bound_, p.lo);
    constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    std::size_t found = npos;
    int alive = 0;
    for (std::size_t i = p.floor; i < p.gens.size() && p.gens[i].start <= before; ++i)
        if (p.gens[i].end >= lo && alive++ == 0) found = i;
    if (alive > 1) {
        ++stats_.ambiguous;
        return {Answer::ambiguous, nullptr, false};
    }
    if (alive == 0) {
        // Clock skew between sources can leave the window empty: take the
        // last process that had the pid by then.
        for (std::size_t i = p.gens.size(); i-- > p.floor;)
            if (p.gens[i].start <= before) {
                found = i;
                break;
            }
        if (found == npos) {
            ++stats_.unknown;
            return {};
        }
    }
    p.floor = found;
    Generation& g = p.gens[found];
    return {Answer::known, state(pid, g, std::min(before, g.end)), g.end == kNever};
}

void ProcessTracker::set_lower_bound(std::uint64_t t) {
    lower_bound_ = std::max(lower_bound_, t);
    prune();
}

void ProcessTracker::prune() {
    auto drop_front_dead = [this](pid_t pid, std::uint64_t bound) {
        auto it = pids_.find(pid);
        if (it == pids_.end()) return std::size_t{0};
        Pid& p = it->second;
        std::size_t n = 0;
        while (!p.gens.empty() && p.gens.front().end != kNever && p.gens.front().end <= bound) {
            p.gens.pop_front();
            p.floor = p.floor ? p.floor - 1 : 0;
            --live_generations_;
            ++n;
        }
        if (p.gens.empty()) pids_.erase(it);
        return n;
    };
    while (!exits_.empty() && exits_.front().first < lower_bound_) {
        auto [t, pid] = exits_.front();
        exits_.pop_front();
        drop_front_dead(pid, t);
    }
    // Nobody reads the queue (fswait stopped, or a stalled output): memory
    // stays bounded; the oldest exited processes go first.
    while (exits_.size() > kMaxDead) {
        auto [t, pid] = exits_.front();
        exits_.pop_front();
        stats_.dropped += drop_front_dead(pid, t);
    }
}

}  // namespace fswait
