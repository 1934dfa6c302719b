#include "lib/async_writer.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/line_writer.hpp"

namespace fswait {
namespace {

// A length that marks a switch_fd in the queue, in order with the lines.
constexpr std::uint32_t kSwitch = std::numeric_limits<std::uint32_t>::max();
// Buffer capacity kept between batches (bytes).
constexpr std::size_t kKeep = 64 * 1024;

}  // namespace

struct AsyncWriter::State {
    State(UniqueFd out, std::size_t cap, Sys& sys) : fd(std::move(out)), writer(fd.get(), sys), capacity(cap) {}

    std::mutex m;
    std::condition_variable work;      // the thread waits for lines
    std::condition_variable progress;  // drain() waits for the queue to empty
    // Guarded by m.
    std::string pending;
    std::vector<std::uint32_t> lens;
    std::deque<UniqueFd> switches;
    bool stop = false;
    bool busy = false;  // the thread holds a batch (may be blocked in write)
    News news;
    // Shared without the lock: main adds, the thread subtracts, per line.
    std::atomic<std::size_t> queued{0};
    std::atomic<bool> want_room{false};
    std::atomic<std::uint64_t> written{0}, lost{0};
    // The thread's own.
    UniqueFd fd;
    LineWriter writer;
    bool failing = false;
    bool broken = false;  // EPIPE: nothing more is written
    // Set before the thread starts, then read-only.
    const std::size_t capacity;
    UniqueFd news_fd;
    std::size_t peak = 0;  // main's own
    std::thread thread;

    void post(const News& n) {
        {
            std::lock_guard lock(m);
            news.room |= n.room;
            if (n.error && !news.error) news.error = n.error;
            news.recovered |= n.recovered;
        }
        std::uint64_t one = 1;
        (void)!::write(news_fd.get(), &one, sizeof one);
    }

    void write_line(std::string_view line) {
        if (broken) {
            lost.fetch_add(1);
            return;
        }
        auto s = writer.write(line);
        if (s) {
            written.fetch_add(1);
            if (failing) post({.room = false, .error = {}, .recovered = true});
            failing = false;
            return;
        }
        lost.fetch_add(1);
        if (s.error().value() == EPIPE) broken = true;
        if (!failing || broken) post({.room = false, .error = s.error(), .recovered = false});
        failing = true;
    }

    void install(UniqueFd next) {
        fd = std::move(next);
        writer.set_fd(fd.get());
        failing = false;
        broken = false;
    }

    // Called after each line: the loop waits for room once it found none.
    void release(std::size_t bytes) {
        const std::size_t left = queued.fetch_sub(bytes) - bytes;
        if (left < capacity / 2 && want_room.load() && want_room.exchange(false))
            post({.room = true, .error = {}, .recovered = false});
    }

    static void run(std::shared_ptr<State> s) {
        std::string batch;
        std::vector<std::uint32_t> lens;
        std::deque<UniqueFd> fds;
        std::unique_lock lock(s->m);
        for (;;) {
            s->work.wait(lock, [&] { return s->stop || !s->lens.empty(); });
            if (s->stop) return;
            batch.swap(s->pending);
            lens.swap(s->lens);
            fds.swap(s->switches);
            s->busy = true;
            lock.unlock();
            std::size_t off = 0;
            for (std::uint32_t len : lens) {
                if (len == kSwitch) {
                    s->install(std::move(fds.front()));
                    fds.pop_front();
                    continue;
                }
                s->write_line(std::string_view(batch).substr(off, len));
                off += len;
                s->release(len);
            }
            batch.clear();
            lens.clear();
            // A burst grew them (up to the queue's capacity); between bursts
            // the memory goes back.
            if (batch.capacity() > kKeep) std::string().swap(batch);
            if (lens.capacity() > kKeep / 16) std::vector<std::uint32_t>().swap(lens);
            lock.lock();
            s->busy = false;
            s->progress.notify_all();
        }
    }
};

AsyncWriter::AsyncWriter(UniqueFd fd, std::size_t capacity, Sys& sys)
    : state_(std::make_shared<State>(std::move(fd), capacity, sys)) {
    state_->news_fd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
}

AsyncWriter::~AsyncWriter() {
    if (!state_->thread.joinable()) return;
    bool busy;
    {
        std::lock_guard lock(state_->m);
        state_->stop = true;
        busy = state_->busy;
    }
    state_->work.notify_all();
    // A thread blocked in write(2) to a reader that stopped reading would
    // never be joined; it keeps the state alive and ends with the process.
    if (busy) state_->thread.detach();
    else state_->thread.join();
}

Status AsyncWriter::start() {
    if (!state_->news_fd) return errno_code();
    sigset_t all, old;
    sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &old);
    try {
        state_->thread = std::thread(&State::run, state_);
    } catch (const std::system_error& e) {
        ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
        return e.code();
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return {};
}

void AsyncWriter::push(std::string_view line) {
    if (line.empty()) return;
    State& s = *state_;
    {
        std::lock_guard lock(s.m);
        s.pending.append(line);
        s.lens.push_back(static_cast<std::uint32_t>(line.size()));
    }
    const std::size_t now = s.queued.fetch_add(line.size()) + line.size();
    if (now > s.peak) s.peak = now;
    s.work.notify_one();
}

void AsyncWriter::switch_fd(UniqueFd fd) {
    {
        std::lock_guard lock(state_->m);
        state_->switches.push_back(std::move(fd));
        state_->lens.push_back(kSwitch);
    }
    state_->work.notify_one();
}

bool AsyncWriter::has_room() {
    State& s = *state_;
    if (s.queued.load() < s.capacity) return true;
    s.want_room.store(true);
    // The thread may have drained past half between the two lines above,
    // before it could see want_room: look again, or wait forever.
    if (s.queued.load() < s.capacity / 2) {
        s.want_room.store(false);
        return true;
    }
    return false;
}

int AsyncWriter::event_fd() const { return state_->news_fd.get(); }

AsyncWriter::News AsyncWriter::take_news() {
    std::uint64_t v;
    (void)!::read(state_->news_fd.get(), &v, sizeof v);
    std::lock_guard lock(state_->m);
    return std::exchange(state_->news, News{});
}

bool AsyncWriter::drain(std::chrono::milliseconds stall) {
    State& s = *state_;
    std::unique_lock lock(s.m);
    auto done = [&] { return s.lens.empty() && !s.busy; };
    if (stall == std::chrono::milliseconds::max()) {
        s.progress.wait(lock, done);
        return true;
    }
    std::uint64_t seen = s.written.load() + s.lost.load();
    while (!done()) {
        if (s.progress.wait_for(lock, stall, done)) break;
        const std::uint64_t now = s.written.load() + s.lost.load();
        if (now == seen) return false;
        seen = now;
    }
    return true;
}

AsyncWriter::Stats AsyncWriter::stats() const {
    return {state_->written.load(), state_->lost.load(), state_->peak};
}

}  // namespace fswait
