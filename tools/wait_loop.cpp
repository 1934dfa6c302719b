#include "tools/wait_loop.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "compat/option_values.hpp"
#include "compat/watch_path.hpp"
#include "tools/journal.hpp"
#include "tools/tool_common.hpp"

namespace fswait::tools {
namespace {

// The formatted lines held for a reader that is slower than the events
// (~20,000 lines); past it the kernel queue holds the events.
constexpr std::size_t kOutputQueue = 1 << 20;
// A reader that took nothing for this long at the end (SIGINT, SIGTERM) has
// stopped reading: what it did not take is counted and the run ends.
constexpr std::chrono::milliseconds kEndStall{2000};
// A wait shorter than this means events were already queued: a stream.
constexpr long kStreamWaitNs = 100'000;
constexpr useconds_t kStreamNapUs = 1000;
// After this many events, the first second without any gives memory back.
constexpr std::size_t kTrimAfterEvents = 10000;
constexpr int kTrimIdleMs = 1000;

enum Tag : std::uint32_t { kTimer = 0xffff, kReopen = 0xfffe, kEnd = 0xfffd, kWriter = 0xfffc };

// Re-arms the -t inactivity timer (no-op without -t).
void arm(int timer, long seconds) {
    if (timer < 0) return;
    itimerspec its{};
    its.it_value.tv_sec = seconds;
    ::timerfd_settime(timer, 0, &its, nullptr);
}

void watch_fd(int epoll, int fd, std::uint32_t tag) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = tag;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &ev);
}

// SIGINT and SIGTERM (unless ignored, as in a background job) are read from
// a signalfd, so that what was formatted before them still reaches the
// output and --json and --journal can write their stop record.
sigset_t end_set() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGINT, SIGTERM}) {
        struct sigaction old {};
        if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler != SIG_IGN) sigaddset(&set, sig);
    }
    return set;
}

UniqueFd end_signals() {
    sigset_t set = end_set();
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

// From here on SIGINT and SIGTERM act at once, with their default action:
// a user who presses ^C again while the end waits for a slow reader.
void release_end_signals() {
    sigset_t set = end_set();
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

// Ends the process as the signal's default action would, so that the shell
// sees 128+sig (130, 141, 143) as from inotifywait.
[[noreturn]] void die_by(int sig) {
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);
}

long seconds_between(const timespec& a, const timespec& b) { return b.tv_sec - a.tv_sec; }

UniqueFd output_fd(UniqueFd outfile) {
    if (outfile) return outfile;
    // A duplicate of standard output, for the writer to own and close.
    return UniqueFd(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3));
}

}  // namespace

UniqueFd open_outfile(const std::string& path) {
    return UniqueFd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
}

UniqueFd reopen_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    return UniqueFd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
}

WaitLoop::WaitLoop(Watcher& w, compat::WaitRenderer& r, const compat::WaitOptions& o, UniqueFd outfile,
                   UniqueFd reopen)
    : watcher_(w), renderer_(r), opts_(o), outfile_(std::move(outfile)), reopen_(std::move(reopen)) {}

WaitLoop::~WaitLoop() = default;

int WaitLoop::run() {
    ending_ = end_signals();
    writer_ = std::make_unique<AsyncWriter>(output_fd(std::move(outfile_)), kOutputQueue);
    if (auto s = writer_->start(); !s) return say("fswait: " + s.error().message() + "\n"), 1;
    if (!open_epoll()) return say(std::string(std::strerror(errno)) + "\n"), 1;
    record("start", "watches established");
    const int status = watch();
    record("stop", status == kExitTimeout ? "timeout" : status == compat::kExitOverflow ? "overflow" : "end");
    finish();
    return status;
}

bool WaitLoop::open_epoll() {
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) return false;
    sources_ = watcher_.poll_sources();
    prompt_ = watcher_.races_new_directories();
    for (std::uint32_t i = 0; i < sources_.size(); ++i) {
        epoll_event ev{};
        ev.events = sources_[i].events;
        ev.data.u32 = i;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, sources_[i].fd, &ev);
        if (sources_[i].queue) queue_sources_ |= 1u << i;
    }
    if (ending_) watch_fd(epoll_.get(), ending_.get(), kEnd);
    if (reopen_) watch_fd(epoll_.get(), reopen_.get(), kReopen);
    watch_fd(epoll_.get(), writer_->event_fd(), kWriter);
    if (opts_.timeout > 0) {
        timer_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
        watch_fd(epoll_.get(), timer_.get(), kTimer);
        arm(timer_.get(), opts_.timeout);
    }
    return true;
}

int WaitLoop::watch() {
    bool streaming = false;
    for (;;) {
        epoll_event ready[8];
        // While events stream in, read at most once a millisecond: bigger
        // batches cost the kernel and us far less per event (a workload that
        // creates files at full speed runs ~10% faster), at the price of
        // 1 ms latency during the stream. An isolated event is read at once.
        if (streaming) ::usleep(kStreamNapUs);
        timespec before, after;
        ::clock_gettime(CLOCK_MONOTONIC, &before);
        const bool trim_due = events_since_trim_ >= kTrimAfterEvents;
        int n = ::epoll_wait(epoll_.get(), ready, 8, trim_due ? kTrimIdleMs : -1);
        ::clock_gettime(CLOCK_MONOTONIC, &after);
        const bool short_wait =
            (after.tv_sec - before.tv_sec) * 1000000000L + (after.tv_nsec - before.tv_nsec) < kStreamWaitNs;
        streaming = false;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return say(std::string(std::strerror(errno)) + "\n"), 1;
        // Idle: no event for a second (other sources, such as attribution's
        // tick, may still wake us).
        if (trim_due && (n == 0 || seconds_between(last_event_, after) >= 1)) give_back_memory();
        if (n == 0) continue;
        // Sources in index order and the deadline last: what the kernel
        // queued before an unmount or before the deadline still counts.
        bool timed_out = false;
        std::uint32_t ready_sources = 0;
        for (int i = 0; i < n; ++i) {
            const std::uint32_t tag = ready[i].data.u32;
            if (tag == kTimer) timed_out = true;
            else if (tag == kReopen) reopen();
            else if (tag == kWriter) writer_news();
            else if (tag == kEnd) {
                signalfd_siginfo si;
                if (::read(ending_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si))
                    end_by(static_cast<int>(si.ssi_signo));
            } else ready_sources |= 1u << tag;
        }
        // (Not where new directories are watched only once their creation
        // is read: there each millisecond loses what is made in them.)
        streaming = short_wait && (ready_sources & queue_sources_) && !paused_ && !prompt_;
        for (std::uint32_t src = 0; src < sources_.size(); ++src) {
            if (!(ready_sources & (1u << src))) continue;
            events_.clear();
            auto s = watcher_.dispatch(src, events_);
            // A malformed record costs the rest of that read, not the run.
            if (!s && s.error().value() == EBADMSG)
                say("fswait: the kernel sent a malformed fanotify record; events in the same read were lost\n");
            else if (!s)
                return say("fswait: cannot read events: " + s.error().message() + "\n"), 1;
            warn_lost_for_fds();
            say_unwatched();
            events_since_trim_ += events_.size();
            if (!events_.empty()) last_event_ = after;
            for (const Event& e : events_)
                if (int status = handle(e); status >= 0) return status;
            if (!events_.empty()) {
                arm(timer_.get(), opts_.timeout);
                timed_out = false;
            }
        }
        if (!paused_ && !writer_->has_room()) pause_events(true);
        if (!timed_out) continue;
        // Events that wait in the kernel (the output is catching up, or they
        // came after this read) are activity: the deadline moves.
        if (paused_ || watcher_.queued_events() > 0) arm(timer_.get(), opts_.timeout);
        else return kExitTimeout;
    }
}

// A burst (a reader that fell behind, a stop) grows buffers and the heap;
// once it is over, the memory goes back, so that RSS stays flat over days.
void WaitLoop::give_back_memory() {
    events_since_trim_ = 0;
    if (events_.capacity() > 1024) std::vector<Event>().swap(events_);
    ::malloc_trim(0);
}

// Stops (or resumes) reading the event queue while the output's queue is
// full; everything else goes on.
void WaitLoop::pause_events(bool pause) {
    for (std::uint32_t i = 0; i < sources_.size(); ++i) {
        if (!sources_[i].queue) continue;
        epoll_event ev{};
        ev.events = pause ? 0 : sources_[i].events;
        ev.data.u32 = i;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, sources_[i].fd, &ev);
    }
    paused_ = pause;
}

void WaitLoop::writer_news() {
    const AsyncWriter::News news = writer_->take_news();
    if (news.room && paused_) pause_events(false);
    if (!news.error) return;
    // The reader went away: end as inotifywait does, by SIGPIPE (141).
    if (news.error.value() == EPIPE) die_by(SIGPIPE);
    say("fswait: cannot write to '" + output_name() + "': " + news.error.message() + "; events are being lost\n");
}

std::string WaitLoop::output_name() const { return opts_.outfile ? *opts_.outfile : "standard output"; }

int WaitLoop::handle(const Event& ev) {
    const bool overflow = ev.kind == Kind::overflow;
    line_.clear();
    auto outcome = renderer_.render(ev, std::time(nullptr), line_);
    if (overflow) {
        warn_overflow();
        // The journal has its overflow entry whatever -e and -q say.
        if (opts_.journal) to_journal(renderer_.record(), renderer_.record().message);
    }
    if (outcome.line && opts_.quiet < 2) {
        if (opts_.journal && !overflow) to_journal(renderer_.record(), line_);
        if (!opts_.journal || opts_.outfile) push(line_);
    }
    if (overflow && opts_.on_overflow == compat::OverflowAction::exit) return compat::kExitOverflow;
    if (outcome.filtered || opts_.monitor) return -1;
    return outcome.requested ? 0 : 1;
}

void WaitLoop::push(const std::string& line) {
    writer_->push(line);
    ++lines_pushed_;
}

// The records that are not events (start, stop, reopen), in the outputs
// that have them (--json, --journal).
void WaitLoop::record(std::string_view type, std::string_view message) {
    compat::JsonRecord r;
    r.type = type;
    ::clock_gettime(CLOCK_REALTIME, &r.time);
    r.message = message;
    if (opts_.journal) to_journal(r, message);
    if (!renderer_.is_json() || (opts_.journal && !opts_.outfile)) return;
    line_.clear();
    compat::append_json_line(line_, r);
    push(line_);
}

void WaitLoop::to_journal(const compat::JsonRecord& r, std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    int err = journal_send(r, line);
    if (err >= 0) {
        journal_failing_ = false;
        return;
    }
    if (!journal_failing_)
        say("fswait: cannot send to the journal: " + std::string(std::strerror(-err)) + "; events are being lost\n");
    journal_failing_ = true;
}

// Said once a second at most, like an overflow: the remedy is the user's.
void WaitLoop::warn_lost_for_fds() {
    const std::uint64_t lost = watcher_.lost_for_fds();
    if (lost == lost_for_fds_) return;
    lost_for_fds_ = lost;
    if (!fds_warning_.due()) return;
    say("fswait: out of file descriptors: events in directories not named yet are being lost; "
        "raise the limit (ulimit -n)\n");
}

// inotify -r: a new directory that could not be watched (inotifywait's words).
void WaitLoop::say_unwatched() {
    for (const Watcher::Unwatched& u : watcher_.take_unwatched()) {
        if (u.root < 0 || static_cast<std::size_t>(u.root) >= renderer_.root_count()) continue;
        const compat::RootSpelling& r = renderer_.root(static_cast<std::size_t>(u.root));
        say("Couldn't watch new directory " + compat::watch_path(r.typed, r.is_dir, u.dir) + ": " +
            u.error.message() + "\n");
    }
}

void WaitLoop::warn_overflow() {
    if (overflow_warning_.due()) say(overflow_warning("fswait"));
}

void WaitLoop::reopen() {
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
    // Lines already queued go to the file they were meant for (the rotated
    // one); the switch travels in the queue, in order.
    writer_->switch_fd(std::move(fresh));
    record("reopen", *opts_.outfile);
}

// SIGINT or SIGTERM: what the kernel had queued before the signal is read
// and written first (the stop record after it), then the process ends by
// the same signal, so that the status stays 130 or 143.
void WaitLoop::end_by(int sig) {
    release_end_signals();
    std::size_t budget = watcher_.queued_events();
    bool stalled = false;
    while (budget > 0) {
        if (!writer_->has_room() && (stalled = !writer_->drain(kEndStall))) break;
        events_.clear();
        if (!watcher_.read_queued(events_) || watcher_.last_read_records() == 0) break;
        budget -= std::min(budget, watcher_.last_read_records());
        warn_lost_for_fds();
        if (std::any_of(events_.begin(), events_.end(), [&](const Event& e) { return handle(e) >= 0; })) break;
    }
    record("stop", sig == SIGINT ? "SIGINT" : "SIGTERM");
    if (stalled || !writer_->drain(kEndStall)) {
        const AsyncWriter::Stats s = writer_->stats();
        say(fmt::format("fswait: {} lines were not written: {} took none of them for {} s\n",
                        lines_pushed_ - s.lines_written - s.lines_lost,
                        opts_.outfile ? "'" + *opts_.outfile + "'" : std::string("standard output"),
                        kEndStall.count() / 1000));
    }
    die_by(sig);
}

// The run is over (first event, -t, an error): everything formatted is
// written before the exit status is returned, however slow the reader; a
// signal may still end the wait, with its default action.
void WaitLoop::finish() {
    release_end_signals();
    writer_->drain();
    const AsyncWriter::News news = writer_->take_news();
    if (news.error.value() == EPIPE) die_by(SIGPIPE);
    if (news.error)
        say("fswait: cannot write to '" + output_name() + "': " + news.error.message() +
            "; events are being lost\n");
}

}  // namespace fswait::tools
