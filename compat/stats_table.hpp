// inotifywatch's statistics table: per-row event counters and the table it
// prints when collection ends (or on SIGUSR1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/event.hpp"

namespace fswait::compat {

struct TableOptions {
    bool zero = false;              // -z
    std::optional<Kind> sort_kind;  // nullopt = sort by total
    bool ascending = false;         // -a (default descending)
};

// Rows keyed by name (inotifywatch: one per watch), each with a total and
// one counter per column. The table is printed byte for byte as
// inotifywatch 3.22.6 prints it.
//
// Bounded mode (max_rows > 0) keeps memory flat however many distinct keys
// arrive: when a new key finds the table full, the row with the smallest
// total (ties: the one that arrived last) is folded into "(other)".
class StatsTable {
public:
    // watched: the -e mask (default kAllFileKinds, which leaves out unmount);
    // only these columns may appear. max_rows: 0 = unbounded.
    StatsTable(KindSet watched, std::size_t max_rows);

    // A row that exists even with no events (a watched directory), for -z.
    // `order` breaks ties in sorting (smaller first); the first order given
    // for a key sticks.
    void touch(std::string_view key, std::uint64_t order);
    // One event charged to `key`: total += 1, and the kind's column += 1
    // unless the kind has no column (Kind::ignored counts in total only).
    void add(std::string_view key, std::uint64_t order, Kind kind);
    void overflow(std::uint64_t n = 1);

    std::uint64_t grand_total() const;  // over all rows, "(other)" included
    std::size_t rows() const;           // rows kept, "(other)" excluded

    // Header, rows ("(other)" last), then the overflow line when events were
    // lost. Assumes grand_total() > 0: the caller prints "No events occurred."
    std::string render(const TableOptions& o) const;

    static constexpr std::size_t kColumns = 13;

private:
    struct Counts {
        std::uint64_t total = 0;
        std::array<std::uint64_t, kColumns> col{};  // in printing order
        void add(const Counts& o);
    };
    struct Row {
        Counts counts;
        std::uint64_t order = 0;    // caller's tie-break for sorting
        std::uint64_t arrival = 0;  // our own, for choosing what to fold
    };
    struct KeyHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    using Map = std::unordered_map<std::string, Row, KeyHash, std::equal_to<>>;
    using Entry = Map::value_type;  // node addresses survive rehashing

    // Eviction index: a min-heap on (total, -arrival) with exactly one item
    // per row. add() does not touch it; an item whose total went stale is
    // only fixed when it reaches the top (totals never decrease, so a stale
    // item sorts too early, never too late).
    struct HeapItem {
        std::uint64_t total;
        std::uint64_t arrival;
        Entry* row;
    };

    Row& row_for(std::string_view key, std::uint64_t order);
    void fold_smallest();

    KindSet watched_;
    std::size_t max_rows_;
    Map rows_;
    std::vector<HeapItem> heap_;  // empty when unbounded
    Counts other_;
    bool has_other_ = false;
    Counts sums_;  // column and grand totals, "(other)" included
    std::uint64_t overflows_ = 0;
    std::uint64_t next_arrival_ = 0;
};

}  // namespace fswait::compat
