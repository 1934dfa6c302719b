// A Sys whose reads and open_by_handle_at calls fail as a script says and
// otherwise do the real system call, so that a fault is injected exactly
// where the kernel could return it and nowhere else.
#pragma once

#include <cerrno>
#include <cstddef>
#include <deque>
#include <vector>

#include "lib/sys.hpp"

namespace fswait::test {

// The errnos of the coming calls, 0 meaning "the real call".
class Script {
public:
    std::deque<int> next;   // the next calls, in order
    std::vector<int> cycle; // then these, over and over; empty: real calls

    // The errno to fail this call with, or 0.
    int take() {
        ++calls;
        int e = 0;
        if (!next.empty()) {
            e = next.front();
            next.pop_front();
        } else if (!cycle.empty()) {
            e = cycle[pos_++ % cycle.size()];
        }
        if (e != 0) ++injected;
        return e;
    }

    int calls = 0;     // every call, injected or real
    int injected = 0;  // calls failed by the script

private:
    std::size_t pos_ = 0;
};

class ScriptedSys : public Sys {
public:
    Script reads, opens;
    int real_reads = 0;
    std::vector<int> open_flags;      // flags of every open_by_handle_at
    std::vector<int> open_mount_fds;  // mount fd of every open_by_handle_at

    ssize_t read(int fd, void* buf, std::size_t n) override {
        if (int e = reads.take()) {
            errno = e;
            return -1;
        }
        ++real_reads;
        return Sys::read(fd, buf, n);
    }

    int open_by_handle_at(int mount_fd, file_handle* handle, int flags) override {
        open_flags.push_back(flags);
        open_mount_fds.push_back(mount_fd);
        if (int e = opens.take()) {
            errno = e;
            return -1;
        }
        return Sys::open_by_handle_at(mount_fd, handle, flags);
    }
};

}  // namespace fswait::test
