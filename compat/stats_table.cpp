#include "compat/stats_table.hpp"

#include <algorithm>
#include <bit>
#include <charconv>

namespace fswait::compat {

namespace {

struct Column {
    Kind kind;
    std::string_view name;
};

// inotifywatch's printing order: move_self sits between moved_to and
// create, unlike the order event names are printed in. Every value is
// left-justified to the width of its header word.
constexpr std::array<Column, StatsTable::kColumns> kColumnTable{{
    {Kind::access, "access"},
    {Kind::modify, "modify"},
    {Kind::attrib, "attrib"},
    {Kind::close_write, "close_write"},
    {Kind::close_nowrite, "close_nowrite"},
    {Kind::open, "open"},
    {Kind::moved_from, "moved_from"},
    {Kind::moved_to, "moved_to"},
    {Kind::move_self, "move_self"},
    {Kind::create, "create"},
    {Kind::delete_, "delete"},
    {Kind::delete_self, "delete_self"},
    {Kind::unmount, "unmount"},
}};

constexpr std::string_view kTotalName = "total";
constexpr std::string_view kOtherKey = "(other)";
constexpr int kNoColumn = -1;

// Kind bit number -> column index, built from the table above.
constexpr std::array<int, 32> make_column_of_bit() {
    std::array<int, 32> m{};
    for (int& c : m) c = kNoColumn;
    for (std::size_t i = 0; i < kColumnTable.size(); ++i) {
        m[std::countr_zero(static_cast<std::uint32_t>(kColumnTable[i].kind))] = static_cast<int>(i);
    }
    return m;
}
constexpr std::array<int, 32> kColumnOfBit = make_column_of_bit();

int column_of(Kind k) {
    const auto bits = static_cast<std::uint32_t>(k);
    if (!std::has_single_bit(bits)) return kNoColumn;
    return kColumnOfBit[std::countr_zero(bits)];
}

// printf("%-<width>u  ", v): never truncates, wider numbers push right.
void append_cell(std::string& out, std::uint64_t v, std::size_t width) {
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    const auto n = static_cast<std::size_t>(res.ptr - buf);
    out.append(buf, n);
    if (n < width) out.append(width - n, ' ');
    out += "  ";
}

// Heap order for std::*_heap (a max-heap): the top is the row to fold
// first, the smallest total and, among equal totals, the latest arrival.
template <class Item>
bool keep_before(const Item& a, const Item& b) {
    if (a.total != b.total) return a.total > b.total;
    return a.arrival < b.arrival;
}

}  // namespace

void StatsTable::Counts::add(const Counts& o) {
    total += o.total;
    for (std::size_t i = 0; i < kColumns; ++i) col[i] += o.col[i];
}

StatsTable::StatsTable(KindSet watched, std::size_t max_rows)
    : watched_(watched), max_rows_(max_rows) {
    if (max_rows_ > 0) {
        // Reserve what a bounded table reaches quickly, but do not trust a
        // huge bound with memory up front.
        const std::size_t expect = std::min<std::size_t>(max_rows_, 1u << 16);
        rows_.reserve(expect);
        heap_.reserve(expect);
    }
}

StatsTable::Row& StatsTable::row_for(std::string_view key, std::uint64_t order) {
    if (auto it = rows_.find(key); it != rows_.end()) return it->second;
    if (max_rows_ > 0 && rows_.size() >= max_rows_) fold_smallest();
    Entry& entry = *rows_.try_emplace(std::string(key)).first;
    Row& row = entry.second;
    row.order = order;
    row.arrival = next_arrival_++;
    if (max_rows_ > 0) {
        heap_.push_back(HeapItem{0, row.arrival, &entry});
        std::push_heap(heap_.begin(), heap_.end(), keep_before<HeapItem>);
    }
    return row;
}

void StatsTable::fold_smallest() {
    const auto cmp = keep_before<HeapItem>;
    // Refresh stale items at the top until the top is current; then it is
    // the true minimum, since every other item's stored total is at most its
    // row's real total.
    for (;;) {
        const std::uint64_t real = heap_.front().row->second.counts.total;
        if (heap_.front().total == real) break;
        std::pop_heap(heap_.begin(), heap_.end(), cmp);
        heap_.back().total = real;
        std::push_heap(heap_.begin(), heap_.end(), cmp);
    }
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    Entry* victim = heap_.back().row;
    heap_.pop_back();

    other_.add(victim->second.counts);
    has_other_ = true;
    rows_.erase(rows_.find(std::string_view(victim->first)));
}

void StatsTable::touch(std::string_view key, std::uint64_t order) {
    row_for(key, order);
}

void StatsTable::add(std::string_view key, std::uint64_t order, Kind kind) {
    Counts& c = row_for(key, order).counts;
    ++c.total;
    ++sums_.total;
    if (const int col = column_of(kind); col != kNoColumn) {
        ++c.col[static_cast<std::size_t>(col)];
        ++sums_.col[static_cast<std::size_t>(col)];
    }
}

void StatsTable::overflow(std::uint64_t n) { overflows_ += n; }

std::uint64_t StatsTable::grand_total() const { return sums_.total; }

std::size_t StatsTable::rows() const { return rows_.size(); }

std::string StatsTable::render(const TableOptions& o) const {
    std::array<bool, kColumns> shown{};
    for (std::size_t i = 0; i < kColumns; ++i) {
        shown[i] = watched_.has(kColumnTable[i].kind) && (o.zero || sums_.col[i] > 0);
    }

    std::string out;
    out += kTotalName;
    out += "  ";
    for (std::size_t i = 0; i < kColumns; ++i) {
        if (!shown[i]) continue;
        out += kColumnTable[i].name;
        out += "  ";
    }
    out += "filename\n";

    std::vector<const Entry*> sorted;
    sorted.reserve(rows_.size());
    for (const Entry& e : rows_) {
        if (o.zero || e.second.counts.total > 0) sorted.push_back(&e);
    }

    // inotifywatch's comparator: by the key column, either direction; equal
    // values always by ascending watch descriptor (our `order`), for -a and
    // -d alike. A kind without a column sorts like total.
    const int key_col = o.sort_kind ? column_of(*o.sort_kind) : kNoColumn;
    const auto value = [key_col](const Counts& c) {
        return key_col == kNoColumn ? c.total : c.col[static_cast<std::size_t>(key_col)];
    };
    std::sort(sorted.begin(), sorted.end(), [&](const Entry* a, const Entry* b) {
        const std::uint64_t va = value(a->second.counts);
        const std::uint64_t vb = value(b->second.counts);
        if (va != vb) return o.ascending ? va < vb : va > vb;
        if (a->second.order != b->second.order) return a->second.order < b->second.order;
        return a->second.arrival < b->second.arrival;
    });

    const auto append_row = [&](const Counts& c, std::string_view key) {
        append_cell(out, c.total, kTotalName.size());
        for (std::size_t i = 0; i < kColumns; ++i) {
            if (shown[i]) append_cell(out, c.col[i], kColumnTable[i].name.size());
        }
        out += key;
        out += '\n';
    };
    for (const Entry* e : sorted) append_row(e->second.counts, e->first);
    if (has_other_ && (o.zero || other_.total > 0)) append_row(other_, kOtherKey);

    if (overflows_ > 0) {
        // The kernel says that events were lost, never how many.
        out += std::to_string(overflows_);
        out += overflows_ == 1 ? " queue overflow" : " queue overflows";
        out += ": events were lost, the counts above are too low.\n";
    }
    return out;
}

}  // namespace fswait::compat
