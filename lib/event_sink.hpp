// What record translators hand their results to (implemented by Watcher).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "lib/event.hpp"

namespace fswait {

class EventSink {
public:
    virtual ~EventSink() = default;
    // `kind` on root `root`, in directory `dir` below it ("" = the root), on
    // entry `name` ("" = the directory itself); dropped unless asked for.
    virtual void deliver(int root, Kind kind, bool is_dir, std::string_view dir, std::string_view name,
                         std::uint32_t cookie, pid_t pid) = 0;
    // A watched directory ended (inotify's IGNORED): always delivered, since
    // it decides the exit status of a single-event run.
    virtual void ignored(int root, std::string_view dir) = 0;
    virtual std::uint32_t next_cookie() = 0;
};

}  // namespace fswait
