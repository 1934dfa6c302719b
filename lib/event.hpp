// The event model shared by every source and every output. Raw fanotify or
// inotify masks never leave the sources: everything else speaks Kind.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace fswait {

// One kind per Event. The values are fswait's own; they only happen to be
// distinct bits so that a KindSet can hold several.
enum class Kind : std::uint32_t {
    access = 1u << 0,
    modify = 1u << 1,
    attrib = 1u << 2,
    close_write = 1u << 3,
    close_nowrite = 1u << 4,
    open = 1u << 5,
    moved_from = 1u << 6,
    moved_to = 1u << 7,
    create = 1u << 8,
    delete_ = 1u << 9,
    delete_self = 1u << 10,
    move_self = 1u << 11,
    unmount = 1u << 12,
    overflow = 1u << 13,  // the source lost events; not tied to a watch
    ignored = 1u << 14,   // a watch ended (its object was deleted or unmounted)
};

class KindSet {
public:
    constexpr KindSet() = default;
    constexpr KindSet(Kind k) : bits_(static_cast<std::uint32_t>(k)) {}
    static constexpr KindSet from_bits(std::uint32_t b) { KindSet s; s.bits_ = b; return s; }

    constexpr bool has(Kind k) const { return bits_ & static_cast<std::uint32_t>(k); }
    constexpr bool empty() const { return bits_ == 0; }
    constexpr bool intersects(KindSet o) const { return bits_ & o.bits_; }
    constexpr std::uint32_t bits() const { return bits_; }
    constexpr KindSet& operator|=(KindSet o) { bits_ |= o.bits_; return *this; }
    constexpr KindSet& operator&=(KindSet o) { bits_ &= o.bits_; return *this; }
    friend constexpr KindSet operator|(KindSet a, KindSet b) { return a |= b; }
    friend constexpr KindSet operator&(KindSet a, KindSet b) { return a &= b; }
    friend constexpr bool operator==(KindSet, KindSet) = default;

private:
    std::uint32_t bits_ = 0;
};

constexpr KindSet operator|(Kind a, Kind b) { return KindSet(a) | KindSet(b); }

// The twelve kinds inotify calls IN_ALL_EVENTS.
inline constexpr KindSet kAllFileKinds = KindSet::from_bits((1u << 12) - 1);

// Lower-case name of one kind ("close_write", "delete", ...).
std::string_view kind_name(Kind k);

// Who caused an event, as far as the source could tell.
struct Process {
    pid_t pid = 0;
    std::string comm;              // 15-byte command name, raw bytes
    std::optional<uid_t> uid;      // effective uid when the event happened
    std::string user;              // user name, or the uid as a number
    std::string exe;               // the executable's absolute path, raw bytes; "" = unknown
};

struct Event {
    Kind kind = Kind::access;
    bool is_dir = false;
    int root = -1;        // index of the watch root; -1 when not tied to one
    std::string dir;      // directory below the root, relative, "" = the root
    std::string name;     // entry name; "" when the event is on the watched object
    std::uint32_t cookie = 0;  // pairs moved_from with moved_to; 0 = none
    pid_t pid = 0;             // 0 = unknown
    std::shared_ptr<const Process> process;  // null = unknown
    timespec time{};           // when the source read the event (CLOCK_REALTIME)
};

}  // namespace fswait
