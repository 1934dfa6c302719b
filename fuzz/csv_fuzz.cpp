// --csv: csv_field on any bytes, and a whole line from render_csv read back
// by a strict CSV reader (RFC 4180 quoting; only '\n' ends a record, as
// inotifywait leaves CR and tabs bare).
//
// Input: separator byte, flags byte (1: is_dir), two bytes of event kinds,
// then "W<sep>F". A separator chosen by the input lets W and F hold any
// byte, NUL included.

#include <optional>
#include <string>
#include <vector>

#include "compat/csv.hpp"
#include "compat/event_names.hpp"
#include "fuzz/fuzz_input.hpp"

using fswait::KindSet;
using namespace fswait::compat;

namespace {

using Record = std::vector<std::string>;

// nullopt for anything a strict reader refuses: a quote inside an unquoted
// field, text after a closing quote, an unterminated quote.
std::optional<std::vector<Record>> read_csv(std::string_view text) {
    std::vector<Record> records;
    Record record;
    std::size_t i = 0;
    for (;;) {
        std::string field;
        if (i < text.size() && text[i] == '"') {
            for (++i;; ++i) {
                if (i == text.size()) return std::nullopt;
                if (text[i] != '"') {
                    field += text[i];
                } else if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    ++i;
                    break;
                }
            }
            if (i < text.size() && text[i] != ',' && text[i] != '\n') return std::nullopt;
        } else {
            for (; i < text.size() && text[i] != ',' && text[i] != '\n'; ++i) {
                if (text[i] == '"') return std::nullopt;
                field += text[i];
            }
        }
        record.push_back(std::move(field));
        // An unterminated last record still counts; the caller checks the '\n'.
        if (i == text.size()) {
            records.push_back(std::move(record));
            return records;
        }
        if (text[i++] == '\n') {
            records.push_back(std::move(record));
            record.clear();
            if (i == text.size()) return records;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    fuzz::Reader in(data, size);
    const char sep = static_cast<char>(in.take<std::uint8_t>());
    const auto flags = in.take<std::uint8_t>();
    const auto kinds = KindSet::from_bits(in.take<std::uint16_t>());
    const std::string_view rest = in.rest();

    // One field alone: reads back as exactly itself.
    const std::string field = csv_field(rest);
    const auto one = read_csv(field + "\n");
    FUZZ_CHECK(one && one->size() == 1 && one->front().size() == 1 && one->front()[0] == rest);

    const auto parts = fuzz::split(rest, sep);
    EventText ev;
    ev.w = parts[0];
    ev.f = parts.size() > 1 ? std::string_view(parts[1]) : std::string_view();
    ev.kinds = kinds;
    ev.is_dir = flags & 1;
    std::string line;
    render_csv(ev, line);

    // One record, ended by its only unquoted '\n', holding the three fields.
    FUZZ_CHECK(!line.empty() && line.back() == '\n');
    const auto records = read_csv(line);
    FUZZ_CHECK(records && records->size() == 1);
    const Record& r = records->front();
    FUZZ_CHECK(r.size() == 3);
    std::string names;
    append_event_names(names, ev.kinds, ev.is_dir, ',');
    FUZZ_CHECK(r[0] == ev.w && r[1] == names && r[2] == ev.f);
    return 0;
}
