#include "lib/inotify_watcher.hpp"

#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "lib/inotify_tree.hpp"

namespace fswait {
namespace {

// Large enough that a burst costs few syscalls (inotify records are 16
// bytes plus the name, rounded up to 16).
constexpr std::size_t kReadBuffer = 256 * 1024;

// fswait's kinds and inotify's bits, in inotify's bit order.
struct KindBit {
    Kind kind;
    std::uint32_t bit;
};
constexpr KindBit kKindBits[] = {
    {Kind::access, IN_ACCESS},
    {Kind::modify, IN_MODIFY},
    {Kind::attrib, IN_ATTRIB},
    {Kind::close_write, IN_CLOSE_WRITE},
    {Kind::close_nowrite, IN_CLOSE_NOWRITE},
    {Kind::open, IN_OPEN},
    {Kind::moved_from, IN_MOVED_FROM},
    {Kind::moved_to, IN_MOVED_TO},
    {Kind::create, IN_CREATE},
    {Kind::delete_, IN_DELETE},
    {Kind::delete_self, IN_DELETE_SELF},
    {Kind::move_self, IN_MOVE_SELF},
    {Kind::unmount, IN_UNMOUNT},
    {Kind::overflow, IN_Q_OVERFLOW},
    {Kind::ignored, IN_IGNORED},
};

// The mask every watch asks for, as inotifywait builds it from -e.
std::uint32_t watch_mask(const WatcherOptions& o) {
    std::uint32_t m = 0;
    for (const KindBit& kb : kKindBits)
        if (o.report.has(kb.kind)) m |= kb.bit;
    // "-e isdir" alone: a valid watch that reports nothing but its end.
    if (m == 0) m = IN_ISDIR;
    if (o.oneshot) m |= IN_ONESHOT;
    return m;
}

// The kinds inotify always reports, asked for or not.
constexpr KindSet kAlwaysKinds = Kind::unmount | Kind::overflow | Kind::ignored;

// Our own directory listings are reported as these, on a directory.
constexpr std::uint32_t kScanBits = IN_OPEN | IN_ACCESS | IN_CLOSE_NOWRITE;

}  // namespace

struct InotifyWatcher::State {
    State(UniqueFd f, const WatcherOptions& o)
        : fd(std::move(f)), opts(o), mask(watch_mask(o)), tree(fd.get(), mask), buf(kReadBuffer) {}

    // A directory of the trees renamed away: the watches below it move with
    // the MOVED_TO of the same cookie, or are dropped when none follows.
    struct PendingMove {
        std::uint32_t cookie;
        int wd;  // the moved directory's own watch
    };

    UniqueFd fd;
    WatcherOptions opts;
    std::uint32_t mask;
    InotifyTree tree;  // every watch (a plain root is a tree of one)
    std::vector<Root> roots;
    std::vector<bool> is_tree;  // by root: recursive directory root
    std::vector<char> buf;
    std::size_t last_read = 0;
    std::uint64_t stream = 0;    // bytes of records taken before the current read
    std::uint64_t read_end = 0;  // ... and up to the end of the current read
    timespec now{};
    std::vector<Event>* out = nullptr;
    std::optional<PendingMove> pending;
    // Names reported from the listing of a new directory (by the watch of
    // the directory holding them): the kernel may have queued their CREATE
    // too, before the listing. Only records queued by then can repeat one.
    std::unordered_map<int, std::unordered_set<std::string>> listed;
    std::uint64_t listed_until = 0;
    // (wd, name) our walk after an overflow made the kernel report, and
    // until where in the stream such records can be ours.
    std::set<std::pair<int, std::string>> self;
    std::uint64_t self_until = 0;
    std::vector<Unwatched> unwatched;  // new directories that could not be watched

    Result<int> add_plain(const std::string& path, bool follow);
    Result<int> add_tree(const std::string& path);
    int new_root(const std::string& path, bool follow, bool as_tree);
    Status read_events(std::vector<Event>& out);
    std::uint64_t queued_bytes() const;
    void handle(const inotify_event& ev, std::string_view name, std::uint64_t pos);
    bool resolve_pending(const inotify_event& ev, std::string_view name, bool& paired);
    void moved_out();
    bool suppressed(const inotify_event& ev, std::string_view name, std::uint64_t pos);
    void watch_ended(int wd, int root, const std::string& rel);
    void follow_dirs(const inotify_event& ev, std::string_view name, int root, const std::string& rel, bool paired);
    void new_dir(int root, const std::string& rel, bool created);
    void overflowed();
    void push(Kind kind, bool is_dir, int root, std::string dir, std::string_view name, std::uint32_t cookie);
};

InotifyWatcher::InotifyWatcher(UniqueFd fd, const WatcherOptions& opts)
    : s_(std::make_unique<State>(std::move(fd), opts)) {}

InotifyWatcher::~InotifyWatcher() = default;

const Root& InotifyWatcher::root(int i) const { return s_->roots[static_cast<std::size_t>(i)]; }

void InotifyWatcher::exclude(std::vector<std::string> paths) { s_->opts.excluded = std::move(paths); }

std::vector<Watcher::PollSource> InotifyWatcher::poll_sources() const { return {{s_->fd.get(), EPOLLIN, true}}; }

Status InotifyWatcher::dispatch(std::size_t source, std::vector<Event>& out) {
    if (source != 0) return {};
    return read_queued(out);
}

Status InotifyWatcher::read_queued(std::vector<Event>& out) {
    Status st = s_->read_events(out);
    for (Unwatched& u : s_->unwatched) not_watched(std::move(u));
    s_->unwatched.clear();
    return st;
}

std::size_t InotifyWatcher::queued_events() const {
    // An upper bound: every record is at least a header.
    return static_cast<std::size_t>(s_->queued_bytes() / sizeof(inotify_event));
}

std::size_t InotifyWatcher::last_read_records() const { return s_->last_read; }

Result<int> InotifyWatcher::add(const std::string& path, bool follow) {
    // -r on a directory (or, when following, a symlink to one: its tree is
    // walked); anything else is watched alone, as inotifywait does.
    struct stat st;
    const bool dir = (follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0 && S_ISDIR(st.st_mode);
    if (s_->opts.recursive && dir) return s_->add_tree(path);
    return s_->add_plain(path, follow);
}

Result<int> InotifyWatcher::State::add_plain(const std::string& path, bool follow) {
    const int wd = ::inotify_add_watch(fd.get(), path.c_str(), mask | (follow ? 0 : IN_DONT_FOLLOW));
    if (wd < 0) return inotify_error(errno);
    // The kernel gives an object watched already the same watch.
    if (const WatchPlace* known = tree.table().find(wd)) return known->root;
    const int idx = new_root(path, follow, false);
    tree.table().add(wd, idx, {});
    return idx;
}

Result<int> InotifyWatcher::State::add_tree(const std::string& path) {
    auto walked = tree.walk(path, opts.excluded);
    if (!walked) return walked.error();
    const int idx = static_cast<int>(roots.size());
    const int owner = tree.adopt(idx, *walked);
    if (owner != idx) return owner;  // inside a tree watched already
    new_root(path, true, true);
    return idx;
}

int InotifyWatcher::State::new_root(const std::string& path, bool follow, bool as_tree) {
    Root r;
    r.path = path;
    struct stat st, lst;
    const bool have = (follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0;
    r.info.is_dir = as_tree || (have && S_ISDIR(st.st_mode));
    r.info.lstat_dir = ::lstat(path.c_str(), &lst) == 0 && S_ISDIR(lst.st_mode);
    const int idx = static_cast<int>(roots.size());
    roots.push_back(std::move(r));
    is_tree.push_back(as_tree);
    tree.set_root(idx, path, have ? st.st_dev : 0, have ? st.st_ino : 0);
    return idx;
}

std::uint64_t InotifyWatcher::State::queued_bytes() const {
    int n = 0;
    if (::ioctl(fd.get(), FIONREAD, &n) < 0 || n < 0) return 0;
    return static_cast<std::uint64_t>(n);
}

Status InotifyWatcher::State::read_events(std::vector<Event>& to) {
    last_read = 0;
    ssize_t n;
    do n = ::read(fd.get(), buf.data(), buf.size());
    while (n < 0 && errno == EINTR);
    if (n < 0) return errno == EAGAIN ? Status{} : errno_code();
    ::clock_gettime(CLOCK_REALTIME, &now);
    out = &to;
    read_end = stream + static_cast<std::uint64_t>(n);
    const std::size_t size = static_cast<std::size_t>(n);
    std::size_t off = 0;
    while (off + sizeof(inotify_event) <= size) {
        inotify_event ev;
        std::memcpy(&ev, buf.data() + off, sizeof ev);
        const std::size_t len = sizeof ev + ev.len;
        if (off + len > size) break;
        const char* raw = buf.data() + off + sizeof ev;
        ++last_read;
        handle(ev, std::string_view(raw, ::strnlen(raw, ev.len)), stream + off);
        off += len;
    }
    stream = read_end;
    out = nullptr;
    return {};
}

void InotifyWatcher::State::push(Kind kind, bool is_dir, int root, std::string dir, std::string_view name,
                                 std::uint32_t cookie) {
    Event e;
    e.kind = kind;
    e.is_dir = is_dir;
    e.root = root;
    e.dir = std::move(dir);
    e.name = std::string(name);
    e.cookie = cookie;
    e.time = now;
    out->push_back(std::move(e));
}

// One record, at byte `pos` of the stream.
void InotifyWatcher::State::handle(const inotify_event& ev, std::string_view name, std::uint64_t pos) {
    bool paired = false;
    const bool its_last_word = pending && resolve_pending(ev, name, paired);
    if (ev.mask & IN_Q_OVERFLOW) return overflowed();
    const WatchPlace* place = tree.table().find(ev.wd);
    // Unknown: a watch we dropped (its directory left the trees) whose
    // records were still queued, its IN_IGNORED included.
    if (!place || suppressed(ev, name, pos)) return;
    const int root = place->root;
    const std::string rel = place->rel;
    if (ev.mask & IN_IGNORED) return watch_ended(ev.wd, root, rel);
    const bool is_dir = ev.mask & IN_ISDIR;
    for (const KindBit& kb : kKindBits)
        if ((ev.mask & kb.bit) && (opts.report.has(kb.kind) || kAlwaysKinds.has(kb.kind)))
            push(kb.kind, is_dir, root, rel, name, ev.cookie);
    if (opts.recursive) follow_dirs(ev, name, root, rel, paired);
    if (its_last_word) moved_out();
}

// Called with a MOVED_FROM of a watched directory pending: returns whether
// this record is that directory's own MOVE_SELF, after which it is dropped.
bool InotifyWatcher::State::resolve_pending(const inotify_event& ev, std::string_view name, bool& paired) {
    if ((ev.mask & IN_MOVED_TO) && ev.cookie == pending->cookie) {
        const WatchPlace* from = tree.table().find(pending->wd);
        const WatchPlace* to = tree.table().find(ev.wd);
        if (!from || !to) {
            moved_out();
            return false;
        }
        const WatchPlace old = *from;
        tree.table().move_subtree(old.root, old.rel, to->root, join_rel(to->rel, name));
        pending.reset();
        paired = true;
        return false;
    }
    // The rename's own MOVE_SELF still names the old place, as inotifywait
    // (and fswait's fanotify mode) print it; then the directory is gone.
    if (ev.wd == pending->wd && (ev.mask & IN_MOVE_SELF)) return true;
    moved_out();
    return false;
}

// The pending directory left the trees: it and everything below it stop
// reporting now (inotifywait would go on until its next event, E34).
void InotifyWatcher::State::moved_out() {
    if (const WatchPlace* p = tree.table().find(pending->wd)) {
        const WatchPlace gone = *p;
        for (int wd : tree.drop_subtree(gone.root, gone.rel)) listed.erase(wd);
    }
    pending.reset();
}

// Records that repeat what we reported ourselves, or that our own walk
// after an overflow caused.
bool InotifyWatcher::State::suppressed(const inotify_event& ev, std::string_view name, std::uint64_t pos) {
    if (!listed.empty() && pos >= listed_until) listed.clear();
    if (auto it = listed.find(ev.wd); it != listed.end()) {
        auto n = it->second.find(std::string(name));
        if (n != it->second.end()) {
            it->second.erase(n);
            // The first CREATE or MOVED_TO of a listed name is the one we
            // reported; a DELETE or MOVED_FROM ends the name's story.
            if (ev.mask & (IN_CREATE | IN_MOVED_TO)) return true;
        }
    }
    if (!self.empty() && pos >= self_until) self.clear();
    return !self.empty() && (ev.mask & kScanBits) && (ev.mask & IN_ISDIR) && self.count({ev.wd, std::string(name)});
}

void InotifyWatcher::State::watch_ended(int wd, int root, const std::string& rel) {
    push(Kind::ignored, false, root, rel, {}, 0);
    tree.table().erase(wd);
    listed.erase(wd);
    if (rel.empty()) roots[static_cast<std::size_t>(root)].alive = false;
}

// Recursive mode: directories that appear are watched, renamed ones keep
// their watches, and ones that leave stop being watched.
void InotifyWatcher::State::follow_dirs(const inotify_event& ev, std::string_view name, int root,
                                        const std::string& rel, bool paired) {
    if (!(ev.mask & IN_ISDIR) || name.empty()) return;
    const std::string sub = join_rel(rel, name);
    // The kernel sends CREATE and MOVED_TO only when they are asked for:
    // fswatch-stats follows new directories only then, as inotifywatch.
    if (ev.mask & IN_CREATE) new_dir(root, sub, true);
    else if ((ev.mask & IN_MOVED_TO) && !paired) new_dir(root, sub, false);
    else if (ev.mask & IN_MOVED_FROM) {
        const int wd = tree.table().wd_at(root, sub);
        if (wd >= 0) pending = PendingMove{ev.cookie, wd};
    }
}

// A directory made (or moved in) at (root, rel). Made: what is in it
// already is reported as made too, since its watch did not exist yet.
void InotifyWatcher::State::new_dir(int root, const std::string& rel, bool created) {
    // As inotifywait: only a real directory (lstat), never a symlink to one.
    std::string path = tree.path_of(root, rel);
    path.pop_back();
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
    std::vector<InotifyTree::Found> found;
    auto s = tree.watch_new(root, rel, created ? &found : nullptr);
    if (!s) unwatched.push_back({root, rel, inotify_error(s.error().value())});
    if (found.empty()) return;
    for (const InotifyTree::Found& f : found) {
        if (opts.report.has(Kind::create)) push(Kind::create, f.is_dir, f.root, f.rel, f.name, 0);
        listed[f.wd].insert(f.name);
    }
    // Everything the kernel queued before the listing ended is before this.
    listed_until = std::max(listed_until, read_end + queued_bytes());
}

// Lost events may have made, renamed or removed directories: the trees are
// walked again (nothing is reported from the walk: what happened is lost).
void InotifyWatcher::State::overflowed() {
    push(Kind::overflow, false, -1, {}, {}, 0);
    if (!opts.recursive) return;
    for (std::size_t i = 0; i < roots.size(); ++i)
        if (is_tree[i] && roots[i].alive) tree.rewalk(static_cast<int>(i), self);
    self_until = read_end + queued_bytes();
}

}  // namespace fswait
