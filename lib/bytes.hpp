// Reading kernel structures out of byte buffers: records in fanotify, perf
// and netlink buffers are not guaranteed to be aligned for their types.
#pragma once

#include <cstring>

namespace fswait {

template <class T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace fswait
