// Translation between fswait kinds and fanotify mask bits, and the order in
// which the kinds of one merged record are replayed.
#pragma once

#include <array>
#include <cstdint>

#include "lib/event.hpp"

namespace fswait {

// The kinds a fanotify record's mask carries (RENAME, ONDIR and flags aside).
KindSet kinds_from_fan_mask(std::uint64_t mask);

// Kernel mask for an inode mark. Directories get the entry events and
// EVENT_ON_CHILD; with use_rename, moves are asked for as FAN_RENAME (one
// record with both names) instead of separate MOVED_FROM/MOVED_TO.
std::uint64_t fan_mask_for(KindSet kinds, bool dir, bool use_rename);

// fanotify merges queued events of one object and one process into a single
// record, losing their order. Replaying in lifecycle order reproduces what
// inotify reports in the common cases: `touch f` is CREATE, OPEN, ATTRIB,
// CLOSE_WRITE; `echo x >> f` is OPEN, MODIFY, CLOSE_WRITE; `rm f` on a
// watched file is ATTRIB, DELETE_SELF.
struct KindList {
    std::array<Kind, 16> kinds{};
    int size = 0;
    const Kind* begin() const { return kinds.data(); }
    const Kind* end() const { return kinds.data() + size; }
};
KindList lifecycle_order(KindSet kinds);

// Kinds that describe the watched object itself, never an entry inside it.
inline constexpr KindSet kSelfKinds = Kind::delete_self | Kind::move_self;
// Kinds that describe an entry of a directory, never the directory itself.
inline constexpr KindSet kEntryKinds =
    Kind::create | Kind::delete_ | Kind::moved_from | Kind::moved_to;

}  // namespace fswait
