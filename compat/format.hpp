// inotifywait's --format renderer, plus fswait's %p %c %u %k.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/event.hpp"

namespace fswait::compat {

struct EventText {
    std::string_view w;                 // %w, already spelled (see watch_path)
    std::string_view f;                 // %f
    KindSet kinds;                      // usually one kind
    bool is_dir = false;
    std::uint32_t cookie = 0;           // %k
    pid_t pid = 0;                      // %p; 0 = unknown
    const Process* process = nullptr;   // %c = process->comm, %u = process->user; null = unknown
};

class Format {
public:
    // fmt: the --format argument as given; newline: append "\n" (i.e. no
    // --no-newline); timefmt: the --timefmt argument if any (used by %T).
    Format(std::string_view fmt, bool newline, std::optional<std::string> timefmt = std::nullopt);
    static Format default_line();  // inotifywait's default: "%w %,e %f\n"

    // Appends the rendered bytes for one event; `now` is the time %T shows.
    // Never truncates, and allocates only by growing `out`.
    void render(const EventText& ev, std::time_t now, std::string& out) const;

    // inotifywait's start-up check: false when a fake event (empty %w and %f,
    // all 12 base kinds, no cookie, pid or process) renders to zero bytes.
    bool valid() const;

    // Whether rendering needs who the process was (%c, %u): when nothing
    // prints it, fswait need not read /proc at all.
    bool uses_process() const;

private:
    enum class Op : std::uint8_t { text, watch, name, events, time, pid, comm, user, cookie };
    struct Token {
        Op op;
        char sep = ',';            // Op::events
        std::uint32_t begin = 0;   // Op::text: slice of text_
        std::uint32_t size = 0;
    };

    void parse(std::string_view fmt);
    void add_text(std::string_view bytes);
    void render_time(std::time_t now, std::string& out) const;

    std::vector<Token> tokens_;
    std::string text_;  // literal bytes of every Op::text token, back to back
    std::optional<std::string> timefmt_;
};

}  // namespace fswait::compat
