// Lines formatted by the event loop, written to the output by a thread of
// their own. A consumer that stops reading (a pager, `| (sleep 30; cat)`)
// then blocks only that thread: the loop goes on answering signals, timers
// and the process sources (whose kernel buffers would otherwise fill). The
// queue is bounded: once it holds `capacity` bytes the loop stops reading
// events, and the kernel's event queue absorbs the rest.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <system_error>

#include "lib/result.hpp"
#include "lib/sys.hpp"
#include "lib/unique_fd.hpp"

namespace fswait {

class AsyncWriter {
public:
    struct News {
        bool room = false;      // the queue drained below half after the loop found it full
        std::error_code error;  // first failure of a run of failed writes; EPIPE: the reader is gone
        bool recovered = false; // a line was written again after failures
    };
    struct Stats {
        std::uint64_t lines_written = 0;
        std::uint64_t lines_lost = 0;  // failed writes, and lines queued after EPIPE
        std::size_t peak_bytes = 0;    // most bytes ever queued
    };

    AsyncWriter(UniqueFd fd, std::size_t capacity, Sys& sys = real_sys());
    // A writer still blocked in write(2) is left to finish on its own (the
    // process is ending); lines still queued are not written.
    ~AsyncWriter();
    AsyncWriter(const AsyncWriter&) = delete;
    AsyncWriter& operator=(const AsyncWriter&) = delete;

    // Starts the thread, with every signal blocked in it: signals belong to
    // the loop's signalfd, and EPIPE comes back as an error instead of a
    // SIGPIPE (the loop decides how to end).
    Status start();

    // Queues one complete line. Always accepted: the caller asks has_room()
    // before reading more events, so the queue exceeds capacity by at most
    // what one read produced.
    void push(std::string_view line);
    // Lines pushed from now on go to `fd`; the previous fd, if the writer
    // owned it, is closed once the lines before the switch are written.
    void switch_fd(UniqueFd fd);
    // False once capacity is reached; from then on the writer says `room`
    // (and event_fd() becomes readable) when it has written half of it.
    bool has_room();
    // Readable when there is news (eventfd, level: cleared by take_news()).
    int event_fd() const;
    News take_news();

    // Waits until everything queued is written or dropped. Gives up, false,
    // when no line was written for `stall` (a reader that stopped reading).
    bool drain(std::chrono::milliseconds stall);
    bool drain() { return drain(std::chrono::milliseconds::max()); }

    Stats stats() const;

private:
    struct State;
    std::shared_ptr<State> state_;  // shared with the thread, which may outlive us
};

}  // namespace fswait
