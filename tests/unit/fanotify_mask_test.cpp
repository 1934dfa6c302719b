#define BOOST_TEST_MODULE fanotify_mask
#include <boost/test/unit_test.hpp>

#include <sys/fanotify.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "lib/fanotify_mask.hpp"

// Boost.Test's customization point, so that a failing KindSet comparison prints.
namespace fswait {
inline std::ostream& boost_test_print_type(std::ostream& os, const KindSet& s) {
    return os << "KindSet{0x" << std::hex << s.bits() << std::dec << "}";
}
}  // namespace fswait

using fswait::fan_mask_for;
using fswait::Kind;
using fswait::KindSet;
using fswait::kinds_from_fan_mask;
using fswait::lifecycle_order;

namespace {

struct Pair {
    Kind kind;
    std::uint64_t fan;
};

// Written out independently of lib/: the documented kernel bit for each kind.
const Pair kPairs[] = {
    {Kind::access, 0x1},          {Kind::modify, 0x2},       {Kind::attrib, 0x4},
    {Kind::close_write, 0x8},     {Kind::close_nowrite, 0x10}, {Kind::open, 0x20},
    {Kind::moved_from, 0x40},     {Kind::moved_to, 0x80},    {Kind::create, 0x100},
    {Kind::delete_, 0x200},       {Kind::delete_self, 0x400}, {Kind::move_self, 0x800},
};

constexpr std::uint64_t kOndir = 0x40000000;
constexpr std::uint64_t kOnChild = 0x08000000;
constexpr std::uint64_t kRename = 0x10000000;
constexpr std::uint64_t kEntryBits = 0x100 | 0x200 | 0x40 | 0x80;  // CREATE DELETE MOVED_FROM MOVED_TO

static_assert(FAN_ONDIR == kOndir);
static_assert(FAN_EVENT_ON_CHILD == kOnChild);
static_assert(FAN_RENAME == kRename);

std::vector<Kind> order(KindSet s) {
    auto l = lifecycle_order(s);
    return std::vector<Kind>(l.begin(), l.end());
}

std::vector<std::uint32_t> bits(const std::vector<Kind>& v) {
    std::vector<std::uint32_t> out;
    for (Kind k : v) out.push_back(static_cast<std::uint32_t>(k));
    return out;
}

// Compares kind sequences through their bit values so that a failure prints.
void check_order(KindSet in, const std::vector<Kind>& expected) {
    auto got = bits(order(in));
    auto want = bits(expected);
    BOOST_TEST(got == want, boost::test_tools::per_element());
    auto l = lifecycle_order(in);
    BOOST_TEST(l.size == static_cast<int>(expected.size()));
}

KindSet set_of(std::initializer_list<Kind> ks) {
    KindSet s;
    for (Kind k : ks) s |= k;
    return s;
}

}  // namespace

// ------------------------------------------------------- kinds_from_fan_mask

BOOST_AUTO_TEST_CASE(each_fan_bit_maps_to_its_kind) {
    for (const auto& p : kPairs) {
        BOOST_TEST_CONTEXT("fan bit 0x" << std::hex << p.fan) {
            BOOST_TEST(kinds_from_fan_mask(p.fan) == KindSet(p.kind));
        }
    }
}

BOOST_AUTO_TEST_CASE(header_constants_match) {
    BOOST_TEST(kinds_from_fan_mask(FAN_ACCESS) == KindSet(Kind::access));
    BOOST_TEST(kinds_from_fan_mask(FAN_MODIFY) == KindSet(Kind::modify));
    BOOST_TEST(kinds_from_fan_mask(FAN_ATTRIB) == KindSet(Kind::attrib));
    BOOST_TEST(kinds_from_fan_mask(FAN_CLOSE_WRITE) == KindSet(Kind::close_write));
    BOOST_TEST(kinds_from_fan_mask(FAN_CLOSE_NOWRITE) == KindSet(Kind::close_nowrite));
    BOOST_TEST(kinds_from_fan_mask(FAN_OPEN) == KindSet(Kind::open));
    BOOST_TEST(kinds_from_fan_mask(FAN_MOVED_FROM) == KindSet(Kind::moved_from));
    BOOST_TEST(kinds_from_fan_mask(FAN_MOVED_TO) == KindSet(Kind::moved_to));
    BOOST_TEST(kinds_from_fan_mask(FAN_CREATE) == KindSet(Kind::create));
    BOOST_TEST(kinds_from_fan_mask(FAN_DELETE) == KindSet(Kind::delete_));
    BOOST_TEST(kinds_from_fan_mask(FAN_DELETE_SELF) == KindSet(Kind::delete_self));
    BOOST_TEST(kinds_from_fan_mask(FAN_MOVE_SELF) == KindSet(Kind::move_self));
}

BOOST_AUTO_TEST_CASE(zero_mask_is_empty) { BOOST_TEST(kinds_from_fan_mask(0).empty()); }

BOOST_AUTO_TEST_CASE(flags_and_rename_alone_give_nothing) {
    BOOST_TEST(kinds_from_fan_mask(kOndir).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(kRename).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(kOnChild).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(kOndir | kRename | kOnChild).bits() == 0u);
}

BOOST_AUTO_TEST_CASE(combinations) {
    BOOST_TEST(kinds_from_fan_mask(FAN_CREATE | FAN_OPEN | FAN_ATTRIB | FAN_CLOSE_WRITE) ==
               set_of({Kind::create, Kind::open, Kind::attrib, Kind::close_write}));
    BOOST_TEST(kinds_from_fan_mask(FAN_ATTRIB | FAN_DELETE_SELF) == set_of({Kind::attrib, Kind::delete_self}));
    BOOST_TEST(kinds_from_fan_mask(FAN_CREATE | FAN_DELETE | FAN_ONDIR) == set_of({Kind::create, Kind::delete_}));
    BOOST_TEST(kinds_from_fan_mask(FAN_RENAME | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_ONDIR) ==
               set_of({Kind::moved_from, Kind::moved_to}));
    BOOST_TEST(kinds_from_fan_mask(FAN_MOVE_SELF | FAN_ONDIR) == KindSet(Kind::move_self));
    // All twelve.
    std::uint64_t all = 0;
    for (const auto& p : kPairs) all |= p.fan;
    BOOST_TEST(all == 0xfffu);
    BOOST_TEST(kinds_from_fan_mask(all) == fswait::kAllFileKinds);
    BOOST_TEST(kinds_from_fan_mask(all | kOndir | kRename) == fswait::kAllFileKinds);
}

BOOST_AUTO_TEST_CASE(other_kernel_bits_give_no_kind) {
    // OPEN_EXEC, Q_OVERFLOW, FS_ERROR and the permission events have no file kind here.
    BOOST_TEST(kinds_from_fan_mask(FAN_OPEN_EXEC).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(FAN_Q_OVERFLOW).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(FAN_OPEN_PERM | FAN_ACCESS_PERM).bits() == 0u);
    BOOST_TEST(kinds_from_fan_mask(FAN_OPEN_EXEC | FAN_OPEN) == KindSet(Kind::open));
}

// ---------------------------------------------------------------- fan_mask_for

BOOST_AUTO_TEST_CASE(file_mask_per_kind) {
    for (const auto& p : kPairs) {
        BOOST_TEST_CONTEXT("kind bit " << static_cast<std::uint32_t>(p.kind)) {
            std::uint64_t want = (p.fan & kEntryBits) ? 0 : p.fan;
            BOOST_TEST(fan_mask_for(p.kind, false, false) == want);
            BOOST_TEST(fan_mask_for(p.kind, false, true) == want);
        }
    }
}

BOOST_AUTO_TEST_CASE(file_mask_all_kinds) {
    // No entry events, no FAN_ONDIR / FAN_EVENT_ON_CHILD, no FAN_RENAME.
    std::uint64_t want = FAN_ACCESS | FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE | FAN_OPEN |
                         FAN_DELETE_SELF | FAN_MOVE_SELF;
    BOOST_TEST(fan_mask_for(fswait::kAllFileKinds, false, false) == want);
    BOOST_TEST(fan_mask_for(fswait::kAllFileKinds, false, true) == want);
    BOOST_TEST((fan_mask_for(fswait::kAllFileKinds, false, true) & (kOndir | kOnChild | kRename | kEntryBits)) == 0u);
}

BOOST_AUTO_TEST_CASE(file_mask_entry_kinds_only_is_empty) {
    BOOST_TEST(fan_mask_for(fswait::kEntryKinds, false, false) == 0u);
    BOOST_TEST(fan_mask_for(fswait::kEntryKinds, false, true) == 0u);
    BOOST_TEST(fan_mask_for(KindSet{}, false, false) == 0u);
}

BOOST_AUTO_TEST_CASE(non_file_kinds_are_not_in_any_mask) {
    KindSet special = set_of({Kind::unmount, Kind::overflow, Kind::ignored});
    BOOST_TEST(fan_mask_for(special, false, false) == 0u);
    BOOST_TEST(fan_mask_for(special, true, false) == (kOndir | kOnChild));
    BOOST_TEST(fan_mask_for(special | Kind::modify, false, false) == std::uint64_t{FAN_MODIFY});
}

BOOST_AUTO_TEST_CASE(dir_mask_per_kind_without_rename) {
    for (const auto& p : kPairs) {
        BOOST_TEST_CONTEXT("kind bit " << static_cast<std::uint32_t>(p.kind)) {
            BOOST_TEST(fan_mask_for(p.kind, true, false) == (p.fan | kOndir | kOnChild));
        }
    }
}

BOOST_AUTO_TEST_CASE(dir_mask_per_kind_with_rename) {
    for (const auto& p : kPairs) {
        BOOST_TEST_CONTEXT("kind bit " << static_cast<std::uint32_t>(p.kind)) {
            bool move = p.kind == Kind::moved_from || p.kind == Kind::moved_to;
            std::uint64_t want = (move ? kRename : p.fan) | kOndir | kOnChild;
            BOOST_TEST(fan_mask_for(p.kind, true, true) == want);
        }
    }
}

BOOST_AUTO_TEST_CASE(dir_mask_all_kinds) {
    std::uint64_t no_moves = FAN_ACCESS | FAN_MODIFY | FAN_ATTRIB | FAN_CLOSE_WRITE | FAN_CLOSE_NOWRITE | FAN_OPEN |
                             FAN_CREATE | FAN_DELETE | FAN_DELETE_SELF | FAN_MOVE_SELF;
    BOOST_TEST(fan_mask_for(fswait::kAllFileKinds, true, false) ==
               (no_moves | FAN_MOVED_FROM | FAN_MOVED_TO | kOndir | kOnChild));
    // With rename: moves only as FAN_RENAME, no MOVED_FROM/MOVED_TO bits.
    std::uint64_t with_rename = fan_mask_for(fswait::kAllFileKinds, true, true);
    BOOST_TEST(with_rename == (no_moves | kRename | kOndir | kOnChild));
    BOOST_TEST((with_rename & (FAN_MOVED_FROM | FAN_MOVED_TO)) == 0u);
}

BOOST_AUTO_TEST_CASE(dir_mask_moves) {
    KindSet both = Kind::moved_from | Kind::moved_to;
    BOOST_TEST(fan_mask_for(both, true, true) == (kRename | kOndir | kOnChild));
    BOOST_TEST(fan_mask_for(both, true, false) ==
               (std::uint64_t{FAN_MOVED_FROM} | FAN_MOVED_TO | kOndir | kOnChild));
    BOOST_TEST(fan_mask_for(both | Kind::create, true, true) == (kRename | FAN_CREATE | kOndir | kOnChild));
    // No move asked: no FAN_RENAME even with use_rename.
    BOOST_TEST(fan_mask_for(Kind::create | Kind::delete_, true, true) ==
               (std::uint64_t{FAN_CREATE} | FAN_DELETE | kOndir | kOnChild));
    BOOST_TEST((fan_mask_for(Kind::modify, true, true) & kRename) == 0u);
}

BOOST_AUTO_TEST_CASE(dir_mask_of_nothing_is_only_flags) {
    BOOST_TEST(fan_mask_for(KindSet{}, true, false) == (kOndir | kOnChild));
    BOOST_TEST(fan_mask_for(KindSet{}, true, true) == (kOndir | kOnChild));
}

BOOST_AUTO_TEST_CASE(mask_round_trips_through_kinds) {
    // For directories without rename every kind's bit comes back as the kind.
    BOOST_TEST(kinds_from_fan_mask(fan_mask_for(fswait::kAllFileKinds, true, false)) == fswait::kAllFileKinds);
    // With rename the moves are not in the mask any more.
    BOOST_TEST(kinds_from_fan_mask(fan_mask_for(fswait::kAllFileKinds, true, true)) ==
               KindSet::from_bits(fswait::kAllFileKinds.bits() & ~(Kind::moved_from | Kind::moved_to).bits()));
}

// ------------------------------------------------------------ lifecycle_order

BOOST_AUTO_TEST_CASE(order_empty) {
    check_order(KindSet{}, {});
}

BOOST_AUTO_TEST_CASE(order_single_kind) {
    for (const auto& p : kPairs) {
        BOOST_TEST_CONTEXT("kind bit " << static_cast<std::uint32_t>(p.kind)) { check_order(p.kind, {p.kind}); }
    }
    check_order(Kind::overflow, {Kind::overflow});
    check_order(Kind::unmount, {Kind::unmount});
    check_order(Kind::ignored, {Kind::ignored});
}

BOOST_AUTO_TEST_CASE(order_touch) {
    check_order(kinds_from_fan_mask(FAN_CREATE | FAN_OPEN | FAN_ATTRIB | FAN_CLOSE_WRITE),
                {Kind::create, Kind::open, Kind::attrib, Kind::close_write});
}

BOOST_AUTO_TEST_CASE(order_append) {
    check_order(kinds_from_fan_mask(FAN_OPEN | FAN_MODIFY | FAN_CLOSE_WRITE),
                {Kind::open, Kind::modify, Kind::close_write});
}

BOOST_AUTO_TEST_CASE(order_cat) {
    check_order(kinds_from_fan_mask(FAN_OPEN | FAN_ACCESS | FAN_CLOSE_NOWRITE),
                {Kind::open, Kind::access, Kind::close_nowrite});
}

BOOST_AUTO_TEST_CASE(order_unlink_of_watched_file) {
    check_order(kinds_from_fan_mask(FAN_ATTRIB | FAN_DELETE_SELF), {Kind::attrib, Kind::delete_self});
}

BOOST_AUTO_TEST_CASE(order_merged_create_write_delete) {
    // §3.7: open(O_CREAT)+write+close+unlink merged into one record.
    check_order(kinds_from_fan_mask(FAN_CREATE | FAN_MODIFY | FAN_CLOSE_WRITE | FAN_DELETE),
                {Kind::create, Kind::modify, Kind::close_write, Kind::delete_});
    // Rename away and back plus appends.
    check_order(kinds_from_fan_mask(FAN_CREATE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_MODIFY | FAN_CLOSE_WRITE),
                {Kind::create, Kind::moved_to, Kind::modify, Kind::close_write, Kind::moved_from});
}

BOOST_AUTO_TEST_CASE(order_full_set) {
    KindSet all = fswait::kAllFileKinds | Kind::unmount | Kind::overflow | Kind::ignored;
    BOOST_TEST(all.bits() == 0x7fffu);
    check_order(all, {Kind::create, Kind::moved_to, Kind::open, Kind::access, Kind::modify, Kind::attrib,
                      Kind::close_write, Kind::close_nowrite, Kind::moved_from, Kind::delete_, Kind::move_self,
                      Kind::delete_self, Kind::unmount, Kind::ignored, Kind::overflow});
}

BOOST_AUTO_TEST_CASE(order_ignores_unknown_bits) {
    // Bits that are no Kind are dropped, nothing overflows the 16-slot list.
    KindSet junk = KindSet::from_bits(0xffffffffu);
    auto l = lifecycle_order(junk);
    BOOST_TEST(l.size == 15);
    check_order(KindSet::from_bits(0xffff8000u), {});
}

BOOST_AUTO_TEST_CASE(order_is_independent_of_bit_order) {
    // Every pair of kinds comes out in the same relative order as in the full list.
    auto full = order(KindSet::from_bits(0x7fffu));
    BOOST_REQUIRE(full.size() == 15u);
    for (std::size_t i = 0; i < full.size(); ++i)
        for (std::size_t j = i + 1; j < full.size(); ++j) check_order(full[i] | full[j], {full[i], full[j]});
}
