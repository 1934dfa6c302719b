// Builds fanotify read buffers byte by byte, as the kernel lays them out,
// and parses them the way the fanotify_records tests check them: shared by
// fanotify_records_test (well-formed input) and
// fanotify_records_malformed_test (what must be refused).
#pragma once

#include <sys/fanotify.h>

#include <boost/test/unit_test.hpp>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "lib/fanotify_records.hpp"

// The byte layout the builders below write by hand must be the kernel's.
static_assert(sizeof(fanotify_event_metadata) == 24);
static_assert(offsetof(fanotify_event_metadata, event_len) == 0);
static_assert(offsetof(fanotify_event_metadata, vers) == 4);
static_assert(offsetof(fanotify_event_metadata, reserved) == 5);
static_assert(offsetof(fanotify_event_metadata, metadata_len) == 6);
static_assert(offsetof(fanotify_event_metadata, mask) == 8);
static_assert(offsetof(fanotify_event_metadata, fd) == 16);
static_assert(offsetof(fanotify_event_metadata, pid) == 20);
static_assert(sizeof(fanotify_event_info_header) == 4);
static_assert(offsetof(fanotify_event_info_fid, fsid) == 4);
static_assert(offsetof(fanotify_event_info_fid, handle) == 12);

namespace fswait::test::fan_bytes {

inline constexpr std::size_t kMetaLen = 24;

template <class T>
void put(std::string& s, T v) {
    char tmp[sizeof v];
    std::memcpy(tmp, &v, sizeof v);
    s.append(tmp, sizeof v);
}

// One fid-style info record: header, fsid, struct file_handle, optional
// NUL-terminated name, zero padding to a multiple of 4 (as the kernel does).
inline std::string fid_info(std::uint8_t type, std::uint64_t fsid, std::int32_t handle_type,
                            std::string_view handle, std::optional<std::string_view> name = std::nullopt) {
    std::string body;
    put<std::uint64_t>(body, fsid);
    put<std::uint32_t>(body, static_cast<std::uint32_t>(handle.size()));
    put<std::int32_t>(body, handle_type);
    body.append(handle);
    if (name) {
        body.append(*name);
        body.push_back('\0');
    }
    while ((body.size() + 4) % 4 != 0) body.push_back('\0');
    std::string rec;
    put<std::uint8_t>(rec, type);
    put<std::uint8_t>(rec, 0);
    put<std::uint16_t>(rec, static_cast<std::uint16_t>(body.size() + 4));
    return rec + body;
}

// An info record of an arbitrary type with an arbitrary body.
inline std::string raw_info(std::uint8_t type, std::string_view body) {
    std::string rec;
    put<std::uint8_t>(rec, type);
    put<std::uint8_t>(rec, 0);
    put<std::uint16_t>(rec, static_cast<std::uint16_t>(body.size() + 4));
    rec.append(body);
    return rec;
}

struct Meta {
    std::uint64_t mask = 0;
    std::int32_t pid = 0;
    std::int32_t fd_ = FAN_NOFD;
    std::uint8_t vers_ = FANOTIFY_METADATA_VERSION;
    std::optional<std::uint32_t> event_len_;     // default: the real length
    std::optional<std::uint16_t> metadata_len_;  // default: 24
    std::string extra_meta_;                     // bytes after the 24-byte header

    Meta& fd(std::int32_t v) { fd_ = v; return *this; }
    Meta& vers(std::uint8_t v) { vers_ = v; return *this; }
    Meta& event_len(std::uint32_t v) { event_len_ = v; return *this; }
    Meta& metadata_len(std::uint16_t v) { metadata_len_ = v; return *this; }
    Meta& extra_meta(std::string v) { extra_meta_ = std::move(v); return *this; }
};

inline Meta meta(std::uint64_t mask, std::int32_t pid = 0) {
    Meta m;
    m.mask = mask;
    m.pid = pid;
    return m;
}

inline std::string event(const Meta& m, std::initializer_list<std::string> infos = {}) {
    std::string body;
    for (const auto& i : infos) body += i;
    std::string ev;
    auto meta_len = static_cast<std::uint16_t>(kMetaLen + m.extra_meta_.size());
    put<std::uint32_t>(ev, m.event_len_ ? *m.event_len_ : static_cast<std::uint32_t>(meta_len + body.size()));
    put<std::uint8_t>(ev, m.vers_);
    put<std::uint8_t>(ev, 0);
    put<std::uint16_t>(ev, m.metadata_len_ ? *m.metadata_len_ : meta_len);
    put<std::uint64_t>(ev, m.mask);
    put<std::int32_t>(ev, m.fd_);
    put<std::int32_t>(ev, m.pid);
    ev += m.extra_meta_;
    ev += body;
    return ev;
}

// Parses a copy of `bytes` held in a heap block of exactly that size, so that
// an out-of-bounds read lands outside the allocation (visible under ASan).
struct Parsed {
    std::unique_ptr<char[]> storage;
    std::vector<FanRecord> records;
    fswait::Status status;
};

inline Parsed parse(std::string_view bytes, std::vector<FanRecord> initial = {}) {
    Parsed p;
    p.storage = std::make_unique<char[]>(bytes.size() + 1);
    std::memcpy(p.storage.get(), bytes.data(), bytes.size());
    p.records = std::move(initial);
    p.status = parse_fanotify_buffer(std::string_view(p.storage.get(), bytes.size()), p.records);
    return p;
}

inline bool is_ebadmsg(const fswait::Status& s) {
    return !s.ok() && s.error() == std::error_code(EBADMSG, std::generic_category());
}

inline const std::string kHandleA("\x01\x00\x00\x00\x2a\x00\x00\x00", 8);  // embedded NULs on purpose
inline const std::string kHandleB("\xef\xbe\xad\xde\x00\x01\x02\x03\x04\x05\x06\x07", 12);
inline constexpr std::uint64_t kFsid = 0x1122334455667788ull;
inline constexpr std::uint64_t kFsid2 = 0x0000000100000002ull;

inline void check_handle(const std::optional<HandleView>& h, std::uint64_t fsid, int type, std::string_view bytes) {
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->fsid == fsid);
    BOOST_TEST(h->type == type);
    BOOST_TEST(h->bytes.size() == bytes.size());
    BOOST_TEST(h->bytes == bytes);
}

// The well-formed event put in front of every malformed one.
inline std::string good_event() {
    return event(meta(FAN_CLOSE_WRITE, 4242),
                 {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "good"),
                  fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleB)});
}

inline void check_good_record(const FanRecord& r) {
    BOOST_TEST(r.mask == FAN_CLOSE_WRITE);
    BOOST_TEST(r.pid == 4242);
    check_handle(r.dir, kFsid, 1, kHandleA);
    BOOST_TEST(r.name == "good");
    check_handle(r.fid, kFsid, 1, kHandleB);
    BOOST_TEST(!r.old_dir.has_value());
    BOOST_TEST(!r.new_dir.has_value());
}

}  // namespace fswait::test::fan_bytes
