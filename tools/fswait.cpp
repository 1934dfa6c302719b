// fswait: inotifywait's command line on the fanotify backend.
// parse -> set up in inotifywait's order -> event loop -> exit status.
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compat/json_line.hpp"
#include "compat/options.hpp"
#include "compat/path_list.hpp"
#include "compat/regex_filter.hpp"
#include "compat/wait_renderer.hpp"
#include "lib/line_writer.hpp"
#include "tools/journal.hpp"
#include "tools/tool_common.hpp"
#include "lib/unique_fd.hpp"
#include "lib/watcher.hpp"

namespace {

using namespace fswait;
using compat::WaitOptions;
using tools::init_error;
using tools::read_fromfile;
using tools::say;
using tools::watch_error;

constexpr int kExitTimeout = 2;
// A wait shorter than this means events were already queued: a stream.
constexpr long kStreamWaitNs = 100'000;
constexpr useconds_t kStreamNapUs = 1000;

compat::EventMask requested_events(const WaitOptions& o) {
    compat::EventMask m = o.events;
    if (m.none()) m.kinds = kAllFileKinds;
    return m;
}

std::optional<compat::WaitRenderer> make_renderer(const WaitOptions& o, int& status) {
    auto fs = compat::make_filter(o.exclude, o.excludei, o.include, o.includei);
    if (!fs.error.empty()) {
        say(fs.error);
        status = 1;
        return std::nullopt;
    }
    auto fmt = compat::effective_format(o);
    compat::Format format = fmt ? compat::Format(*fmt, false, o.timefmt) : compat::Format::default_line();
    if (fmt && !format.valid()) {
        say("Something is wrong with your format string.\n");
        status = 1;
        return std::nullopt;
    }
    auto style = o.json  ? compat::WaitRenderer::Style::json
                 : o.csv ? compat::WaitRenderer::Style::csv
                         : (fmt ? compat::WaitRenderer::Style::format : compat::WaitRenderer::Style::line);
    return compat::WaitRenderer(style, std::move(format), std::move(fs.filter), requested_events(o));
}

// Re-arms the -t inactivity timer (no-op without -t).
void arm(int timer, long seconds) {
    if (timer < 0) return;
    itimerspec its{};
    its.it_value.tv_sec = seconds;
    ::timerfd_settime(timer, 0, &its, nullptr);
}

// With -o, SIGHUP and SIGUSR1 reopen the file (logrotate's create +
// postrotate kill -HUP); they are blocked from the moment the file is open
// and read from a signalfd, between two events, so no line is lost or split.
UniqueFd reopen_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

// `path` from the current directory, spelled as typed below it.
std::string absolute(const std::string& path) {
    if (!path.empty() && path[0] == '/') return path;
    char cwd[PATH_MAX];
    if (!::getcwd(cwd, sizeof cwd)) return path;
    std::string dir(cwd);
    return dir == "/" ? "/" + path : dir + "/" + path;
}

// --json's absolute paths: the root as the kernel resolves it (its final
// symlink kept with -P, as the watch is then on the link).
std::string resolved(const std::string& path, const WaitOptions& o) {
    if (!tools::follows(o.no_dereference, o.recursive, path)) return absolute(path);
    char buf[PATH_MAX];
    return ::realpath(path.c_str(), buf) ? std::string(buf) : absolute(path);
}

// --json and --journal end with a stop record also when SIGINT or SIGTERM
// ends the run: those signals (unless ignored, as in a background job) are
// read from a signalfd, the record written, and the signal raised again
// with its default action, so the exit status stays 130 or 143.
UniqueFd end_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) sigaddset(&set, sig);
    }
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

[[noreturn]] void die_by(int sig) {
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);
}

UniqueFd open_outfile(const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
}

class Loop {
public:
    // outfile: the -o file (invalid: stdout); reopen: its signalfd.
    Loop(Watcher& w, compat::WaitRenderer& r, UniqueFd& outfile, UniqueFd& reopen, const WaitOptions& o)
        : watcher_(w), renderer_(r), outfile_(outfile), reopen_(reopen),
          out_(outfile ? outfile.get() : STDOUT_FILENO), opts_(o) {}

    int run();

private:
    // Returns an exit status when the run is over, -1 to go on.
    int handle(const Event& ev);
    void write_out(const std::string& line);
    void warn_overflow();
    void reopen();
    int watch();
    void record(std::string_view type, std::string_view message);
    void to_journal(const compat::JsonRecord& r, std::string_view line);

    Watcher& watcher_;
    compat::WaitRenderer& renderer_;
    UniqueFd& outfile_;
    UniqueFd& reopen_;
    LineWriter out_;
    const WaitOptions& opts_;
    UniqueFd epoll_, timer_;
    std::vector<Event> events_;
    std::string line_;
    bool write_failing_ = false;
    bool journal_failing_ = false;
    std::time_t last_overflow_warning_ = 0;
};

void Loop::reopen() {
    signalfd_siginfo si;
    bool asked = false;
    while (::read(reopen_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) asked = true;
    if (!asked) return;
    UniqueFd fresh = open_outfile(*opts_.outfile);
    if (!fresh) {
        say("fswait: cannot reopen '" + *opts_.outfile + "': " + std::strerror(errno) +
            "; still writing to the file opened before\n");
        return;
    }
    outfile_ = std::move(fresh);
    out_.set_fd(outfile_.get());
    write_failing_ = false;
    record("reopen", *opts_.outfile);
}

// The records that are not events (start, stop, reopen), in the outputs
// that have them (--json, --journal).
void Loop::record(std::string_view type, std::string_view message) {
    compat::JsonRecord r;
    r.type = type;
    ::clock_gettime(CLOCK_REALTIME, &r.time);
    r.message = message;
    if (opts_.journal) to_journal(r, message);
    if (!renderer_.is_json() || (opts_.journal && !opts_.outfile)) return;
    line_.clear();
    compat::append_json_line(line_, r);
    write_out(line_);
}

void Loop::to_journal(const compat::JsonRecord& r, std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    int err = tools::journal_send(r, line);
    if (err >= 0) {
        journal_failing_ = false;
        return;
    }
    if (!journal_failing_)
        say("fswait: cannot send to the journal: " + std::string(std::strerror(-err)) + "; events are being lost\n");
    journal_failing_ = true;
}

int Loop::run() {
    record("start", "watches established");
    int status = watch();
    record("stop", status == kExitTimeout ? "timeout" : "end");
    return status;
}

int Loop::watch() {
    constexpr std::uint32_t kTimer = 0xffff, kReopen = 0xfffe, kEnd = 0xfffd;
    UniqueFd ending;
    int end_signal = 0;
    if (renderer_.is_json() || opts_.journal) ending = end_signals();
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) return say(std::string(std::strerror(errno)) + "\n"), 1;
    auto sources = watcher_.poll_sources();
    for (std::uint32_t i = 0; i < sources.size(); ++i) {
        epoll_event ev{};
        ev.events = sources[i].events;
        ev.data.u32 = i;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sources[i].fd, &ev);
    }
    if (ending) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = kEnd;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, ending.get(), &ev);
    }
    if (reopen_) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = kReopen;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, reopen_.get(), &ev);
    }
    if (opts_.timeout > 0) {
        timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = kTimer;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, timer_.get(), &ev);
        arm(timer_.get(), opts_.timeout);
    }
    bool streaming = false;
    for (;;) {
        epoll_event ready[4];
        // While events stream in, read at most once a millisecond: bigger
        // batches cost the kernel and us far less per event (a workload that
        // creates files at full speed runs ~10% faster), at the price of
        // 1 ms latency during the stream. An isolated event is read at once.
        if (streaming) ::usleep(kStreamNapUs);
        timespec before, after;
        ::clock_gettime(CLOCK_MONOTONIC, &before);
        int n = ::epoll_wait(epoll_.get(), ready, 4, -1);
        ::clock_gettime(CLOCK_MONOTONIC, &after);
        const bool short_wait =
            (after.tv_sec - before.tv_sec) * 1000000000L + (after.tv_nsec - before.tv_nsec) < kStreamWaitNs;
        streaming = false;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return say(std::string(std::strerror(errno)) + "\n"), 1;
        // Sources in index order and the deadline last: what the kernel
        // queued before an unmount or before the deadline still counts.
        bool timed_out = false;
        std::uint32_t ready_sources = 0;
        for (int i = 0; i < n; ++i) {
            if (ready[i].data.u32 == kTimer) timed_out = true;
            else if (ready[i].data.u32 == kReopen) reopen();
            else if (ready[i].data.u32 == kEnd) {
                signalfd_siginfo si;
                if (::read(ending.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
                    end_signal = static_cast<int>(si.ssi_signo);
            }
            else ready_sources |= 1u << ready[i].data.u32;
        }
        streaming = short_wait && (ready_sources & 1u);  // source 0: the event queue
        for (std::uint32_t src = 0; src < sources.size(); ++src) {
            if (!(ready_sources & (1u << src))) continue;
            events_.clear();
            auto s = watcher_.dispatch(src, events_);
            // A malformed record costs the rest of that read, not the run.
            if (!s && s.error().value() == EBADMSG)
                say("fswait: the kernel sent a malformed fanotify record; events in the same read were lost\n");
            else if (!s)
                return say(s.error().message() + "\n"), 1;
            for (const Event& e : events_)
                if (int status = handle(e); status >= 0) return status;
            if (!events_.empty()) {
                arm(timer_.get(), opts_.timeout);
                timed_out = false;
            }
        }
        if (end_signal) {
            // What the kernel queued before the signal is written first.
            events_.clear();
            (void)watcher_.dispatch(0, events_);
            for (const Event& e : events_) (void)handle(e);
            record("stop", end_signal == SIGINT ? "SIGINT" : "SIGTERM");
            die_by(end_signal);
        }
        if (timed_out) return kExitTimeout;
    }
}

int Loop::handle(const Event& ev) {
    if (ev.kind == Kind::overflow) {
        warn_overflow();
        if (opts_.journal) to_journal(renderer_.record(), renderer_.record().message);
    }
    line_.clear();
    auto outcome = renderer_.render(ev, std::time(nullptr), line_);
    if (outcome.filtered) return -1;
    if (outcome.requested && opts_.quiet < 2) {
        if (opts_.journal) to_journal(renderer_.record(), line_);
        if (!opts_.journal || opts_.outfile) write_out(line_);
    }
    if (!opts_.monitor) return outcome.requested ? 0 : 1;
    return -1;
}

void Loop::write_out(const std::string& line) {
    auto s = out_.write(line);
    if (s) {
        write_failing_ = false;
        return;
    }
    if (s.error().value() == EPIPE) {
        // The reader went away: end as inotifywait does, by SIGPIPE (141).
        ::signal(SIGPIPE, SIG_DFL);
        ::raise(SIGPIPE);
        ::_exit(141);
    }
    if (!write_failing_) {
        const char* where = opts_.outfile ? opts_.outfile->c_str() : "standard output";
        say("fswait: cannot write to '" + std::string(where) + "': " + s.error().message() +
            "; events are being lost\n");
    }
    write_failing_ = true;
}

void Loop::warn_overflow() {
    // Loss must never be silent, but one line a second is enough to say it.
    std::time_t now = std::time(nullptr);
    if (now == last_overflow_warning_) return;
    last_overflow_warning_ = now;
    say("fswait: the kernel event queue overflowed; some events were lost\n");
}

// FSWAIT_STATS=1: one line of counters at exit, for bench/ (not a user interface).
void print_stats(const Watcher& w) {
    const char* env = std::getenv("FSWAIT_STATS");
    if (!env || std::strcmp(env, "1") != 0) return;
    if (const TreeStats* t = w.tree_stats())
        say("fswait: stats: read=" + std::to_string(t->records) + " foreign=" + std::to_string(t->foreign) +
            " fid_only=" + std::to_string(t->fid_only) + " unresolved=" + std::to_string(t->unresolved) + "\n");
    if (auto a = w.attribution_stats())
        say(fmt::format("fswait: stats: exec_marks={} perf={} connector={} perf_lost={} connector_overruns={} "
                        "execs_matched={} execs_unmatched={} ambiguous={} unknown={} proc_reads={} "
                        "dropped={} generations={}\n",
                        a->exec_marks, a->perf, a->connector, a->perf_lost, a->connector_overruns,
                        a->tracker.matched_execs, a->tracker.unmatched_execs, a->tracker.ambiguous,
                        a->tracker.unknown, a->proc_reads, a->tracker.dropped, a->generations));
}

int run(const WaitOptions& o) {
    compat::EventMask requested = requested_events(o);
    // fanotify first, as inotifywait initializes inotify before anything
    // else can fail; what the renderer needs is only known after parsing it.
    auto group = FanotifyGroup::open();
    if (!group) return say(init_error("fswait", group.error())), 1;

    if (o.journal && !tools::journal_available())
        return say("fswait: --journal is not available: this fswait was built without libsystemd\n"), 1;
    int status = 0;
    auto renderer = make_renderer(o, status);
    if (!renderer) return status;

    WatcherOptions wo;
    wo.report = requested.kinds;
    // inotifywait -m -r always asks for these (to follow new directories):
    // they are received, so they restart -t, though never printed unasked.
    if (o.monitor && o.recursive) wo.report |= Kind::create | Kind::moved_from | Kind::moved_to;
    wo.oneshot = requested.oneshot;
    wo.recursive = o.recursive > 0;
    wo.attribute = renderer->uses_process() || o.journal;
    auto watcher = Watcher::create(std::move(*group), wo);
    if (!watcher) return say(init_error("fswait", watcher.error())), 1;

    std::optional<std::string> listed;
    if (o.fromfile) listed = read_fromfile(*o.fromfile);
    auto paths = compat::build_path_list(o.args, listed);
    if (paths.watch.empty()) return say("No files specified to watch!\n"), 1;
    if (o.recursive) (*watcher)->exclude(paths.exclude);

    if (o.daemon) {
        // inotifywait's check: the -o file must exist (realpath) before forking.
        char resolved[PATH_MAX];
        if (!::realpath(o.outfile->c_str(), resolved))
            return say(std::string(std::strerror(errno)) + ": " + *o.outfile + "\n"), 1;
        // Deliberate fix: relative watch paths are made absolute before the
        // daemon changes to "/" (inotifywait then fails to find them).
        for (std::string& p : paths.watch) p = absolute(p);
    }
    UniqueFd outfile, reopen;
    if (o.outfile) {
        outfile = open_outfile(*o.outfile);
        if (!outfile) return say("Failed to open output file " + *o.outfile + "\n"), 1;
        reopen = reopen_signals();
    }
    if (o.daemon && ::daemon(0, 0) < 0) return say("Failed to daemonize!\n"), 1;
    if (o.syslog) tools::to_syslog("fswait");

    if (!o.quiet)
        say(o.recursive ? "Setting up watches.  Beware: since -r was given, this may take a while!\n"
                        : "Setting up watches.\n");
    for (const std::string& p : paths.watch) {
        auto idx = (*watcher)->add(p, tools::follows(o.no_dereference, o.recursive, p));
        if (!idx) return say(watch_error("Couldn't", p, idx.error())), 1;
        if (*idx != static_cast<int>(renderer->root_count())) continue;
        // %w gets a '/' when the path is a directory; a symlink to one only
        // gets it under -r, where inotifywait descends into it.
        const ObjectInfo& info = (*watcher)->root(*idx).info;
        renderer->add_root({p, o.recursive ? info.is_dir : info.lstat_dir,
                            o.json || o.journal ? resolved(p, o) : ""});
    }
    if (!o.quiet) say("Watches established.\n");
    tools::notify_ready();
    if (o.timeout < 0) return say("Negative timeout specified - abort!\n"), 1;

    Loop loop(**watcher, *renderer, outfile, reopen, o);
    int exit_status = loop.run();
    print_stats(**watcher);
    return exit_status;
}

}  // namespace

int main(int argc, char* argv[]) {
    auto parsed = compat::parse_wait_options(argc, argv);
    if (!parsed.out.empty()) (void)LineWriter(STDOUT_FILENO).write(parsed.out);
    if (!parsed.err.empty()) say(parsed.err);
    if (parsed.exit_status >= 0) return parsed.exit_status;
    return run(parsed.options);
}
