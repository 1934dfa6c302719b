// fswait's event loop: one epoll over the watcher's sources, the signals it
// answers (signalfd), the -t timer and the output thread's news. Formatted
// lines go out through an AsyncWriter, so that a reader that stops reading
// stops only the output: signals, timers and attribution go on, and past the
// writer's bounded queue the kernel's event queue absorbs the events.
#pragma once

#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "compat/json_line.hpp"
#include "compat/options.hpp"
#include "compat/wait_renderer.hpp"
#include "lib/async_writer.hpp"
#include "lib/unique_fd.hpp"
#include "lib/watcher.hpp"
#include "tools/tool_common.hpp"

namespace fswait::tools {

inline constexpr int kExitTimeout = 2;

// -o's file: appended to (O_APPEND: rotation by copytruncate leaves no hole),
// created 0600.
UniqueFd open_outfile(const std::string& path);

// With -o, SIGHUP and SIGUSR1 reopen the file (logrotate's create +
// postrotate kill -HUP): blocked from the moment the file is open, then read
// from this signalfd between two lines, so no line is lost or split.
UniqueFd reopen_signals();

class WaitLoop {
public:
    // outfile: the -o file (invalid: standard output); reopen: the signalfd
    // of SIGHUP/SIGUSR1 that reopens it (invalid without -o).
    WaitLoop(Watcher& w, compat::WaitRenderer& r, const compat::WaitOptions& o, UniqueFd outfile,
             UniqueFd reopen);
    ~WaitLoop();

    // The exit status. Ends the process itself on SIGINT and SIGTERM (after
    // writing what the kernel had queued before them) and, like
    // inotifywait, by SIGPIPE once the reader of its output is gone.
    int run();

    AsyncWriter::Stats writer_stats() const { return writer_ ? writer_->stats() : AsyncWriter::Stats{}; }

private:
    bool open_epoll();
    int watch();
    // Returns an exit status when the run is over, -1 to go on.
    int handle(const Event& ev);
    void push(const std::string& line);
    void record(std::string_view type, std::string_view message);
    void to_journal(const compat::JsonRecord& r, std::string_view line);
    void warn_overflow();
    void warn_lost_for_fds();
    void say_unwatched();
    void reopen();
    void writer_news();
    void pause_events(bool pause);
    void give_back_memory();
    [[noreturn]] void end_by(int sig);
    void finish();
    std::string output_name() const;

    Watcher& watcher_;
    compat::WaitRenderer& renderer_;
    const compat::WaitOptions& opts_;
    UniqueFd outfile_, reopen_, ending_;
    std::unique_ptr<AsyncWriter> writer_;
    UniqueFd epoll_, timer_;
    std::vector<Watcher::PollSource> sources_;
    std::vector<Event> events_;
    std::string line_;
    std::uint64_t lines_pushed_ = 0;
    std::size_t events_since_trim_ = 0;
    timespec last_event_{};  // CLOCK_MONOTONIC
    bool paused_ = false;
    std::uint32_t queue_sources_ = 0;
    bool prompt_ = false;  // read as soon as events come (no batching nap)  // bit i: source i is an event queue
    bool journal_failing_ = false;
    OncePerSecond overflow_warning_;
    std::uint64_t lost_for_fds_ = 0;
    OncePerSecond fds_warning_;
};

}  // namespace fswait::tools
