// fswatch-stats: inotifywatch's statistics table from the fanotify backend,
// plus rows by command, user, pid or path.
#include <dirent.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compat/path_list.hpp"
#include "compat/regex_filter.hpp"
#include "compat/stats_options.hpp"
#include "compat/stats_table.hpp"
#include "compat/watch_path.hpp"
#include "lib/line_writer.hpp"
#include "lib/unique_fd.hpp"
#include "lib/watcher.hpp"
#include "tools/tool_common.hpp"

namespace {

using namespace fswait;
using compat::StatsBy;
using compat::StatsOptions;
using tools::say;

constexpr char kProg[] = "fswatch-stats";

struct Root {
    std::string typed;
    bool is_dir = false;
};

// inotifywatch -r watches a tree depth first, each directory after its
// subdirectories (in readdir order): that is the order of its rows when
// totals tie. Only directories are visited; @excluded paths are skipped.
class OrderWalk {
public:
    explicit OrderWalk(const std::vector<std::string>& excluded) : excluded_(excluded) {}

    // Appends the %w of every directory below (and including) `typed`.
    void walk(const std::string& typed, std::vector<std::string>& out) { visit(typed, "", out); }

private:
    void visit(const std::string& typed, const std::string& rel, std::vector<std::string>& out) {
        std::string path = rel.empty() ? typed : compat::watch_path(typed, true, rel);
        DIR* d = ::opendir(path.c_str());
        if (d) {
            std::vector<std::string> subdirs;
            while (dirent* e = ::readdir(d)) {
                std::string_view name(e->d_name);
                if (name == "." || name == "..") continue;
                std::string child = rel.empty() ? std::string(name) : rel + "/" + std::string(name);
                std::string child_path = compat::watch_path(typed, true, child);
                child_path.pop_back();
                struct stat st;
                if (::lstat(child_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
                if (is_excluded(child_path)) continue;
                subdirs.push_back(std::move(child));
            }
            ::closedir(d);
            for (const std::string& s : subdirs) visit(typed, s, out);
        }
        out.push_back(compat::watch_path(typed, true, rel));
    }
    bool is_excluded(const std::string& path) const {
        for (const std::string& x : excluded_) {
            std::string_view a = path, b = x;
            while (a.size() > 1 && a.back() == '/') a.remove_suffix(1);
            while (b.size() > 1 && b.back() == '/') b.remove_suffix(1);
            if (a == b) return true;
        }
        return false;
    }

    const std::vector<std::string>& excluded_;
};

class Stats {
public:
    Stats(const StatsOptions& o, KindSet watched)
        : o_(o), table_(watched, o.max_rows), out_(STDOUT_FILENO) {}

    int run();

private:
    void take_setup_signals();
    void say_fallbacks();
    int collect();
    void count(const Event& e);
    std::string row_key(const Event& e);
    void print_table();
    int finish();
    void overflowed();

    const StatsOptions& o_;
    compat::StatsTable table_;
    LineWriter out_;
    std::unique_ptr<Watcher> watcher_;
    std::optional<compat::RegexFilter> filter_;
    std::vector<Root> roots_;
    std::unordered_map<std::string, std::uint64_t> dir_order_;  // %w -> watch order
    std::uint64_t next_order_ = 0;
    UniqueFd sigfd_, timer_;
    bool end_requested_ = false;
    bool overflow_exit_ = false;  // --on-overflow=exit and the queue overflowed
    tools::OncePerSecond overflow_warning_;
    std::string key_;
};

// While the watches are set up, SIGINT is inotifywatch's: the first only
// warns, a second aborts. A handler (not the signalfd) sees each of them,
// even two that come before the set-up could look.
volatile sig_atomic_t setup_interrupts = 0;

void on_setup_sigint(int) {
    static constexpr char kWarning[] =
        "No statistics have been collected because I haven't finished establishing\n"
        "inotify watches yet.  If you are sure you want me to exit, interrupt me again.\n";
    static constexpr char kAbort[] =
        "No statistics collected, asked to abort before all watches could be established.\n";
    setup_interrupts = setup_interrupts + 1;
    if (setup_interrupts >= 2) {
        (void)!::write(STDERR_FILENO, kAbort, sizeof kAbort - 1);
        ::_exit(1);
    }
    (void)!::write(STDERR_FILENO, kWarning, sizeof kWarning - 1);
}

sigset_t collection_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR1}) sigaddset(&set, s);
    return set;
}

// Collection signals arrive through a signalfd, so that the table is printed
// from the loop, never from a handler. SIGINT stays with its handler until
// the watches are set up (end_setup()).
UniqueFd begin_setup() {
    struct sigaction sa {};
    sa.sa_handler = on_setup_sigint;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    sigset_t set = collection_signals();
    sigdelset(&set, SIGINT);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    set = collection_signals();
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

void end_setup() {
    sigset_t set = collection_signals();
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
}

// SIGTERM or SIGHUP during the set-up end the collection as soon as it starts.
void Stats::take_setup_signals() {
    signalfd_siginfo si;
    while (::read(sigfd_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
        if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGHUP) end_requested_ = true;
}

// Where inotify watches instead of fanotify, and why (fswatch-stats has no -q).
void Stats::say_fallbacks() {
    for (const Fallback& f : watcher_->take_fallbacks()) say(tools::fallback_note(kProg, f));
}

int Stats::run() {
    sigfd_ = begin_setup();
    auto opened = Watcher::open(tools::backend_of(o_.backend),
                                o_.bounded_queue ? QueuePolicy::bounded : QueuePolicy::unlimited);
    if (const auto* e = std::get_if<OpenError>(&opened)) return say(tools::open_error(kProg, *e)), 1;
    auto fs = compat::make_filter(o_.exclude, o_.excludei, o_.include, o_.includei);
    if (!fs.error.empty()) return say(fs.error), 1;
    filter_ = std::move(fs.filter);
    // After the regex check, where inotifywatch would have failed first.
    if (auto& fallback = std::get<OpenedBackend>(opened).fallback) {
        say(tools::fallback_note(kProg, *fallback));
        fallback.reset();
    }

    WatcherOptions wo;
    wo.report = o_.events.none() ? kAllFileKinds : o_.events.kinds;
    wo.recursive = o_.recursive;
    wo.attribute = o_.by == StatsBy::command || o_.by == StatsBy::user;
    auto watcher = Watcher::create(std::move(std::get<OpenedBackend>(opened)), wo);
    if (!watcher) return say(tools::init_error(kProg, watcher.error())), 1;
    watcher_ = std::move(*watcher);
    say_fallbacks();

    std::optional<std::string> listed;
    if (o_.fromfile) listed = tools::read_fromfile(*o_.fromfile);
    auto paths = compat::build_path_list(o_.args, listed);
    if (paths.watch.empty()) return say("No files specified to watch!\n"), 1;
    if (o_.recursive) watcher_->exclude(paths.exclude);

    say("Establishing watches...\n");
    std::size_t watches = 0;
    const bool whole_fs = o_.backend == compat::Backend::filesystem;
    for (const std::string& p : paths.watch) {
        if (whole_fs) say("Setting up filesystem watch on " + p + "\n");
        else if (o_.verbose && o_.recursive) say("Setting up watch(es) on " + p + "\n");
        const bool follow = tools::follows(o_.no_dereference, o_.recursive || whole_fs, p);
        // Rows of directories in inotifywatch's watch order (for ties and
        // -z), walked before the watches exist: under inotify watches the
        // walk's own reads would be counted.
        struct stat st;
        const bool walk = o_.recursive && !whole_fs && o_.by == StatsBy::directory &&
                          (follow ? ::stat(p.c_str(), &st) : ::lstat(p.c_str(), &st)) == 0 && S_ISDIR(st.st_mode);
        std::vector<std::string> dirs;
        if (walk) OrderWalk(paths.exclude).walk(p, dirs);
        auto idx = watcher_->add(p, follow);
        if (!idx) return say(tools::watch_error(whole_fs ? "Couldn't add filesystem" : "Failed to", p, idx.error())), 1;
        say_fallbacks();
        if (o_.verbose && o_.recursive && !whole_fs) say("OK, " + p + " is now being watched.\n");
        if (*idx != static_cast<int>(roots_.size())) continue;
        const fswait::Root& root = watcher_->root(*idx);
        const ObjectInfo& info = root.info;
        // -S watches the filesystem's mount point: rows are named from it
        // (and its directories are not walked: a row appears when it counts).
        if (whole_fs) roots_.push_back({root.path, true});
        else roots_.push_back({p, o_.recursive ? info.is_dir : info.lstat_dir});
        if (!walk) dirs.push_back(compat::watch_path(roots_.back().typed, roots_.back().is_dir, ""));
        for (std::string& d : dirs) {
            ++watches;
            if (o_.by != StatsBy::directory) continue;
            auto [it, fresh] = dir_order_.try_emplace(std::move(d), next_order_);
            if (fresh) {
                table_.touch(it->first, next_order_);
                ++next_order_;
            }
        }
    }
    end_setup();
    take_setup_signals();
    if (o_.verbose) say("Total of " + std::to_string(watches) + " watches.\n");
    say("Finished establishing watches, now collecting statistics.\n");
    if (o_.verbose && o_.timeout > 0)
        say("Will listen for events for " + std::to_string(o_.timeout) + " seconds.\n");
    if (end_requested_) return finish();
    return collect();
}

std::string Stats::row_key(const Event& e) {
    const Root& r = roots_[static_cast<std::size_t>(e.root)];
    switch (o_.by) {
    case StatsBy::directory: return compat::watch_path(r.typed, r.is_dir, e.dir);
    case StatsBy::path: return compat::watch_path(r.typed, r.is_dir, e.dir) + e.name;
    case StatsBy::pid: return e.pid > 0 ? std::to_string(e.pid) : "?";
    case StatsBy::command: return e.process && !e.process->comm.empty() ? e.process->comm : "?";
    case StatsBy::user: return e.process && !e.process->user.empty() ? e.process->user : "?";
    }
    return "?";
}

void Stats::count(const Event& e) {
    if (e.kind == Kind::overflow) return overflowed();
    if (e.root < 0 || static_cast<std::size_t>(e.root) >= roots_.size()) return;
    if (filter_) {
        const Root& r = roots_[static_cast<std::size_t>(e.root)];
        if (filter_->drops(compat::watch_path(r.typed, r.is_dir, e.dir) + e.name)) return;
    }
    key_ = row_key(e);
    std::uint64_t order = next_order_;
    if (o_.by == StatsBy::directory) {
        // A directory made after the start gets the next watch, as
        // inotifywatch -r adds one when it sees the directory created.
        auto [it, fresh] = dir_order_.try_emplace(key_, next_order_);
        if (fresh) ++next_order_;
        order = it->second;
    } else {
        ++next_order_;  // other keys: first seen, first in a tie
    }
    table_.add(key_, order, e.kind);
}

// Counted for the table; said at once too (at most once a second), since
// the table may be printed hours later.
void Stats::overflowed() {
    table_.overflow();
    if (o_.on_overflow == compat::OverflowAction::exit) overflow_exit_ = true;
    if (overflow_warning_.due()) say(tools::overflow_warning(kProg));
}

void Stats::print_table() {
    if (table_.grand_total() == 0) return;
    compat::TableOptions t;
    t.zero = o_.zero;
    t.sort_kind = o_.sort_kind;
    t.ascending = o_.ascending;
    (void)out_.write(table_.render(t));
}

int Stats::finish() {
    if (table_.grand_total() == 0) {
        say("No events occurred.\n");
        return 0;
    }
    print_table();
    return 0;
}

int Stats::collect() {
    UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll) return say(std::string(std::strerror(errno)) + "\n"), 1;
    auto sources = watcher_->poll_sources();
    constexpr std::uint32_t kSignal = 0xfffe, kTimer = 0xffff;
    auto add = [&](int fd, std::uint32_t events, std::uint32_t tag) {
        epoll_event ev{};
        ev.events = events;
        ev.data.u32 = tag;
        ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev);
    };
    for (std::uint32_t i = 0; i < sources.size(); ++i) add(sources[i].fd, sources[i].events, i);
    add(sigfd_.get(), EPOLLIN, kSignal);
    if (o_.timeout > 0) {
        // -t is a collection period (inotifywatch's alarm), not inactivity.
        timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        itimerspec its{};
        its.it_value.tv_sec = o_.timeout;
        ::timerfd_settime(timer_.get(), 0, &its, nullptr);
        add(timer_.get(), EPOLLIN, kTimer);
    }
    std::vector<Event> events;
    for (;;) {
        epoll_event ready[8];
        int n = ::epoll_wait(epoll.get(), ready, 8, -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return say(std::string(std::strerror(errno)) + "\n"), 1;
        bool done = false;
        for (int i = 0; i < n; ++i) {
            std::uint32_t tag = ready[i].data.u32;
            if (tag == kTimer) {
                done = true;
            } else if (tag == kSignal) {
                signalfd_siginfo si;
                while (::read(sigfd_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
                    if (si.ssi_signo != SIGUSR1) {
                        done = true;
                    } else if (table_.grand_total() > 0) {
                        print_table();  // a snapshot, and collection goes on
                        (void)out_.write("\n");
                    }
                }
            } else {
                events.clear();
                auto s = watcher_->dispatch(tag, events);
                if (!s && s.error().value() != EBADMSG) return say(s.error().message() + "\n"), 1;
                for (const Event& e : events) count(e);
            }
        }
        if (overflow_exit_) {
            print_table();
            return compat::kExitOverflow;
        }
        if (done) {
            // What the kernel queued before the end still counts, however
            // many reads that takes (not what comes after: a flood would
            // never let the table be printed).
            std::size_t budget = watcher_->queued_events();
            while (budget > 0) {
                events.clear();
                if (!watcher_->read_queued(events) || watcher_->last_read_records() == 0) break;
                budget -= std::min(budget, watcher_->last_read_records());
                for (const Event& e : events) count(e);
            }
            if (overflow_exit_) {
                print_table();
                return compat::kExitOverflow;
            }
            return finish();
        }
    }
}

}  // namespace

int main(int argc, char* argv[]) {
    auto parsed = compat::parse_stats_options(argc, argv);
    if (!parsed.out.empty()) (void)LineWriter(STDOUT_FILENO).write(parsed.out);
    if (!parsed.err.empty()) say(parsed.err);
    if (parsed.exit_status >= 0) return parsed.exit_status;
    KindSet watched = parsed.options.events.none() ? kAllFileKinds : parsed.options.events.kinds;
    Stats stats(parsed.options, watched);
    return stats.run();
}
