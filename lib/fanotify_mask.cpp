#include "lib/fanotify_mask.hpp"

#include <sys/fanotify.h>

namespace fswait {
namespace {

struct Pair {
    Kind kind;
    std::uint64_t fan;
};

constexpr Pair kPairs[] = {
    {Kind::access, FAN_ACCESS},           {Kind::modify, FAN_MODIFY},
    {Kind::attrib, FAN_ATTRIB},           {Kind::close_write, FAN_CLOSE_WRITE},
    {Kind::close_nowrite, FAN_CLOSE_NOWRITE}, {Kind::open, FAN_OPEN},
    {Kind::moved_from, FAN_MOVED_FROM},   {Kind::moved_to, FAN_MOVED_TO},
    {Kind::create, FAN_CREATE},           {Kind::delete_, FAN_DELETE},
    {Kind::delete_self, FAN_DELETE_SELF}, {Kind::move_self, FAN_MOVE_SELF},
};

constexpr Kind kLifecycle[] = {
    Kind::create,      Kind::moved_to,      Kind::open,       Kind::access,
    Kind::modify,      Kind::attrib,        Kind::close_write, Kind::close_nowrite,
    Kind::moved_from,  Kind::delete_,       Kind::move_self,  Kind::delete_self,
    Kind::unmount,     Kind::ignored,       Kind::overflow,
};

}  // namespace

KindSet kinds_from_fan_mask(std::uint64_t mask) {
    KindSet s;
    for (const auto& p : kPairs)
        if (mask & p.fan) s |= p.kind;
    return s;
}

std::uint64_t fan_mask_for(KindSet kinds, bool dir, bool use_rename) {
    std::uint64_t m = 0;
    for (const auto& p : kPairs)
        if (kinds.has(p.kind)) m |= p.fan;
    if (!dir) return m & ~static_cast<std::uint64_t>(FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO);
    if (use_rename && (m & (FAN_MOVED_FROM | FAN_MOVED_TO))) {
        m &= ~static_cast<std::uint64_t>(FAN_MOVED_FROM | FAN_MOVED_TO);
        m |= FAN_RENAME;
    }
    return m | FAN_ONDIR | FAN_EVENT_ON_CHILD;
}

KindList lifecycle_order(KindSet kinds) {
    KindList out;
    for (Kind k : kLifecycle)
        if (kinds.has(k)) out.kinds[static_cast<std::size_t>(out.size++)] = k;
    return out;
}

}  // namespace fswait
