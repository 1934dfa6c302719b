// What parse_fanotify_buffer must refuse (EBADMSG) without reading past its
// buffer, keeping the records before the bad event. Well-formed input is
// tested in fanotify_records_test.cpp.
#define BOOST_TEST_MODULE fanotify_records_malformed
#include <boost/test/unit_test.hpp>

#include <sys/fanotify.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/fanotify_records.hpp"
#include "tests/unit/fanotify_bytes.hpp"

using fswait::parse_fanotify_buffer;
using namespace fswait::test::fan_bytes;

namespace {

template <class T>
void poke(std::string& s, std::size_t off, T v) {
    BOOST_REQUIRE(off + sizeof v <= s.size());
    std::memcpy(s.data() + off, &v, sizeof v);
}

// Parses only the first `len` bytes of `bytes`, with the rest of the bytes
// still readable right behind the view: a parser that ignored the view's end
// would find well-formed data there and succeed.
Parsed parse_prefix(const std::string& bytes, std::size_t len) {
    BOOST_REQUIRE(len <= bytes.size());
    Parsed p;
    p.storage = std::make_unique<char[]>(bytes.size());
    std::memcpy(p.storage.get(), bytes.data(), bytes.size());
    p.status = parse_fanotify_buffer(std::string_view(p.storage.get(), len), p.records);
    return p;
}

// A malformed event after a good one: EBADMSG, the good record kept.
void check_rejected_after_good(const std::string& bad) {
    auto p = parse(good_event() + bad);
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_REQUIRE(p.records.size() == 1u);
    check_good_record(p.records[0]);
    // And on its own.
    auto q = parse(bad);
    BOOST_TEST(is_ebadmsg(q.status));
    BOOST_TEST(q.records.empty());
}

}  // namespace

BOOST_AUTO_TEST_CASE(truncated_metadata) {
    std::string next = event(meta(FAN_OPEN, 1));
    for (std::size_t len : {1u, 4u, 8u, 16u, 23u}) {
        BOOST_TEST_CONTEXT("metadata bytes: " << len) { check_rejected_after_good(next.substr(0, len)); }
    }
    // Also with the missing bytes present behind the view.
    std::string both = good_event() + next;
    auto p = parse_prefix(both, good_event().size() + 23);
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_REQUIRE(p.records.size() == 1u);
    check_good_record(p.records[0]);
}

BOOST_AUTO_TEST_CASE(event_len_larger_than_the_buffer) {
    std::string next = event(meta(FAN_OPEN, 1), {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA)});
    // event_len claims 4 bytes more than are there.
    std::string bad = next;
    poke<std::uint32_t>(bad, 0, static_cast<std::uint32_t>(next.size() + 4));
    check_rejected_after_good(bad);
    // A buffer cut in the middle of the info records, the rest behind the view.
    std::string both = good_event() + next;
    for (std::size_t cut : {1u, 4u, 20u}) {
        BOOST_TEST_CONTEXT("cut: " << cut) {
            auto p = parse_prefix(both, both.size() - cut);
            BOOST_TEST(is_ebadmsg(p.status));
            BOOST_REQUIRE(p.records.size() == 1u);
            check_good_record(p.records[0]);
        }
    }
    // Huge event_len.
    poke<std::uint32_t>(bad, 0, 0xffffffffu);
    check_rejected_after_good(bad);
}

BOOST_AUTO_TEST_CASE(event_len_smaller_than_metadata) {
    for (std::uint32_t len : {0u, 1u, 23u}) {
        BOOST_TEST_CONTEXT("event_len: " << len) {
            check_rejected_after_good(event(meta(FAN_OPEN, 1).event_len(len)));
        }
    }
}

BOOST_AUTO_TEST_CASE(wrong_version) {
    for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{2}, std::uint8_t{4}, std::uint8_t{255}}) {
        BOOST_TEST_CONTEXT("vers: " << int{v}) {
            check_rejected_after_good(
                event(meta(FAN_OPEN, 1).vers(v), {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA)}));
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_metadata_len) {
    std::string info = fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA);
    // Shorter than the metadata struct.
    for (std::uint16_t ml : {std::uint16_t{0}, std::uint16_t{8}, std::uint16_t{23}}) {
        BOOST_TEST_CONTEXT("metadata_len: " << ml) {
            check_rejected_after_good(event(meta(FAN_OPEN, 1).metadata_len(ml), {info}));
        }
    }
    // Longer than the event.
    auto total = static_cast<std::uint16_t>(kMetaLen + info.size());
    check_rejected_after_good(event(meta(FAN_OPEN, 1).metadata_len(static_cast<std::uint16_t>(total + 1)), {info}));
    check_rejected_after_good(event(meta(FAN_OPEN, 1).metadata_len(0xffff), {info}));
}

BOOST_AUTO_TEST_CASE(info_header_len_zero) {
    // A zero length would make a naive parser loop forever on the same header.
    check_rejected_after_good(event(meta(FAN_OPEN, 1), {std::string("\x01\x00\x00\x00", 4)}));
    check_rejected_after_good(event(meta(FAN_OPEN, 1), {std::string("\xc8\x00\x00\x00", 4)}));
}

BOOST_AUTO_TEST_CASE(info_header_len_shorter_than_header) {
    std::string rec = raw_info(200, "");
    poke<std::uint16_t>(rec, 2, 3);
    check_rejected_after_good(event(meta(FAN_OPEN, 1), {rec}));
}

BOOST_AUTO_TEST_CASE(info_header_len_past_the_end_of_the_event) {
    std::string rec = fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "name");
    std::string bad = rec;
    poke<std::uint16_t>(bad, 2, static_cast<std::uint16_t>(rec.size() + 4));
    check_rejected_after_good(event(meta(FAN_OPEN, 1), {bad}));
    // Same for an unknown type, which is otherwise skipped.
    std::string unknown = raw_info(200, "abcd");
    poke<std::uint16_t>(unknown, 2, 12);
    check_rejected_after_good(event(meta(FAN_OPEN, 1), {unknown}));
    // The record would fit in the buffer (the next event follows) but not in
    // its own event: event boundaries must be respected.
    std::string next = event(meta(FAN_OPEN, 2), {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleB)});
    auto p = parse(good_event() + event(meta(FAN_OPEN, 1), {bad}) + next);
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_REQUIRE(p.records.size() == 1u);
    check_good_record(p.records[0]);
}

BOOST_AUTO_TEST_CASE(trailing_bytes_shorter_than_an_info_header) {
    check_rejected_after_good(event(meta(FAN_OPEN, 1),
                                    {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA), std::string("\x01\x00", 2)}));
}

BOOST_AUTO_TEST_CASE(info_record_too_short_for_fsid_and_handle_header) {
    for (std::uint8_t type : {std::uint8_t{FAN_EVENT_INFO_TYPE_FID}, std::uint8_t{FAN_EVENT_INFO_TYPE_DFID},
                              std::uint8_t{FAN_EVENT_INFO_TYPE_DFID_NAME}, std::uint8_t{FAN_EVENT_INFO_TYPE_OLD_DFID_NAME},
                              std::uint8_t{FAN_EVENT_INFO_TYPE_NEW_DFID_NAME}}) {
        BOOST_TEST_CONTEXT("type: " << int{type}) {
            // fsid only, no struct file_handle header.
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {raw_info(type, std::string(8, '\0'))}));
            // fsid and half of the handle header.
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {raw_info(type, std::string(12, '\0'))}));
        }
    }
}

BOOST_AUTO_TEST_CASE(handle_bytes_past_the_record) {
    for (std::uint8_t type : {std::uint8_t{FAN_EVENT_INFO_TYPE_FID}, std::uint8_t{FAN_EVENT_INFO_TYPE_DFID_NAME},
                              std::uint8_t{FAN_EVENT_INFO_TYPE_OLD_DFID_NAME}}) {
        BOOST_TEST_CONTEXT("type: " << int{type}) {
            std::string rec = fid_info(type, kFsid, 1, kHandleA,
                                       type == FAN_EVENT_INFO_TYPE_FID ? std::nullopt : std::optional<std::string_view>("n"));
            // handle_bytes sits at offset 12 of the record.
            std::string bad = rec;
            poke<std::uint32_t>(bad, 12, static_cast<std::uint32_t>(rec.size() - 20 + 1));
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {bad}));
            poke<std::uint32_t>(bad, 12, 0xffffffffu);
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {bad}));
            poke<std::uint32_t>(bad, 12, 0x80000000u);
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {bad}));
        }
    }
}

BOOST_AUTO_TEST_CASE(handle_bytes_past_the_record_into_the_next_one) {
    // handle_bytes covers the record and runs into the next record of the
    // same event: the record's own length is the limit, not the event's.
    std::string rec = fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA);
    poke<std::uint32_t>(rec, 12, static_cast<std::uint32_t>(kHandleA.size() + 4));
    check_rejected_after_good(
        event(meta(FAN_OPEN, 1), {rec, fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleB, "z")}));
}

BOOST_AUTO_TEST_CASE(name_without_nul) {
    for (std::uint8_t type : {std::uint8_t{FAN_EVENT_INFO_TYPE_DFID_NAME}, std::uint8_t{FAN_EVENT_INFO_TYPE_OLD_DFID_NAME},
                              std::uint8_t{FAN_EVENT_INFO_TYPE_NEW_DFID_NAME}}) {
        BOOST_TEST_CONTEXT("type: " << int{type}) {
            // Record body: fsid, handle header, handle, then "abcd" with no NUL.
            std::string body;
            put<std::uint64_t>(body, kFsid);
            put<std::uint32_t>(body, static_cast<std::uint32_t>(kHandleA.size()));
            put<std::int32_t>(body, 1);
            body += kHandleA;
            body += "abcd";
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {raw_info(type, body)}));
            // Nothing at all after the handle.
            std::string bare = body.substr(0, body.size() - 4);
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {raw_info(type, bare)}));
            // The NUL exists, but only in the next record of the event.
            check_rejected_after_good(event(meta(FAN_OPEN, 1), {raw_info(type, body), raw_info(200, std::string(4, '\0'))}));
        }
    }
}

BOOST_AUTO_TEST_CASE(name_without_nul_at_the_end_of_the_buffer) {
    // The record is the very last thing in the buffer; the NUL that would end
    // the name is right behind the view, so reading past the end would
    // "succeed".
    std::string body;
    put<std::uint64_t>(body, kFsid);
    put<std::uint32_t>(body, static_cast<std::uint32_t>(kHandleA.size()));
    put<std::int32_t>(body, 1);
    body += kHandleA;
    body += "abc";
    std::string all = good_event() + event(meta(FAN_OPEN, 1), {raw_info(FAN_EVENT_INFO_TYPE_DFID_NAME, body)});
    all.push_back('\0');
    auto p = parse_prefix(all, all.size() - 1);
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_REQUIRE(p.records.size() == 1u);
    check_good_record(p.records[0]);
}

BOOST_AUTO_TEST_CASE(malformed_event_stops_the_parse) {
    // Nothing after a malformed event is parsed, even if it is well-formed.
    auto p = parse(good_event() + event(meta(FAN_OPEN, 1).vers(2)) + good_event());
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_REQUIRE(p.records.size() == 1u);
    check_good_record(p.records[0]);
}

BOOST_AUTO_TEST_CASE(every_truncation_of_a_valid_buffer_is_rejected_safely) {
    // Each prefix of a multi-event buffer either ends on an event boundary
    // (ok, with exactly the events before it) or is EBADMSG with the complete
    // events before the cut. Every prefix is parsed from an exact-size copy.
    std::vector<std::string> events = {
        good_event(),
        event(meta(FAN_RENAME, 2),
              {fid_info(FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, kFsid, 1, kHandleA, "a"),
               fid_info(FAN_EVENT_INFO_TYPE_NEW_DFID_NAME, kFsid, 1, kHandleB, "bb"), raw_info(200, "xyzw")}),
        event(meta(FAN_Q_OVERFLOW)),
    };
    std::string all;
    std::vector<std::size_t> ends;
    for (const auto& e : events) {
        all += e;
        ends.push_back(all.size());
    }
    for (std::size_t len = 0; len <= all.size(); ++len) {
        std::size_t complete = 0;
        bool boundary = (len == 0);
        for (std::size_t i = 0; i < ends.size(); ++i) {
            if (ends[i] <= len) complete = i + 1;
            if (ends[i] == len) boundary = true;
        }
        auto p = parse(all.substr(0, len));
        BOOST_TEST_CONTEXT("prefix length: " << len) {
            BOOST_TEST(p.status.ok() == boundary);
            if (!boundary) BOOST_TEST(is_ebadmsg(p.status));
            BOOST_TEST(p.records.size() == complete);
        }
    }
}
