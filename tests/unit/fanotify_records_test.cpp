#define BOOST_TEST_MODULE fanotify_records
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/fanotify_records.hpp"

using fswait::FanRecord;
using fswait::HandleView;
using fswait::parse_fanotify_buffer;

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

namespace {

constexpr std::size_t kMetaLen = 24;

template <class T>
void put(std::string& s, T v) {
    char tmp[sizeof v];
    std::memcpy(tmp, &v, sizeof v);
    s.append(tmp, sizeof v);
}

template <class T>
void poke(std::string& s, std::size_t off, T v) {
    BOOST_REQUIRE(off + sizeof v <= s.size());
    std::memcpy(s.data() + off, &v, sizeof v);
}

// One fid-style info record: header, fsid, struct file_handle, optional
// NUL-terminated name, zero padding to a multiple of 4 (as the kernel does).
std::string fid_info(std::uint8_t type, std::uint64_t fsid, std::int32_t handle_type, std::string_view handle,
                     std::optional<std::string_view> name = std::nullopt) {
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
std::string raw_info(std::uint8_t type, std::string_view body) {
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

Meta meta(std::uint64_t mask, std::int32_t pid = 0) {
    Meta m;
    m.mask = mask;
    m.pid = pid;
    return m;
}

std::string event(const Meta& m, std::initializer_list<std::string> infos = {}) {
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

Parsed parse(std::string_view bytes, std::vector<FanRecord> initial = {}) {
    Parsed p;
    p.storage = std::make_unique<char[]>(bytes.size() + 1);
    std::memcpy(p.storage.get(), bytes.data(), bytes.size());
    p.records = std::move(initial);
    p.status = parse_fanotify_buffer(std::string_view(p.storage.get(), bytes.size()), p.records);
    return p;
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

bool is_ebadmsg(const fswait::Status& s) {
    return !s.ok() && s.error() == std::error_code(EBADMSG, std::generic_category());
}

const std::string kHandleA("\x01\x00\x00\x00\x2a\x00\x00\x00", 8);  // embedded NULs on purpose
const std::string kHandleB("\xef\xbe\xad\xde\x00\x01\x02\x03\x04\x05\x06\x07", 12);
constexpr std::uint64_t kFsid = 0x1122334455667788ull;
constexpr std::uint64_t kFsid2 = 0x0000000100000002ull;

void check_handle(const std::optional<HandleView>& h, std::uint64_t fsid, int type, std::string_view bytes) {
    BOOST_REQUIRE(h.has_value());
    BOOST_TEST(h->fsid == fsid);
    BOOST_TEST(h->type == type);
    BOOST_TEST(h->bytes.size() == bytes.size());
    BOOST_TEST(h->bytes == bytes);
}

// The well-formed event put in front of every malformed one.
std::string good_event() {
    return event(meta(FAN_CLOSE_WRITE, 4242),
                 {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "good"),
                  fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleB)});
}

void check_good_record(const FanRecord& r) {
    BOOST_TEST(r.mask == FAN_CLOSE_WRITE);
    BOOST_TEST(r.pid == 4242);
    check_handle(r.dir, kFsid, 1, kHandleA);
    BOOST_TEST(r.name == "good");
    check_handle(r.fid, kFsid, 1, kHandleB);
    BOOST_TEST(!r.old_dir.has_value());
    BOOST_TEST(!r.new_dir.has_value());
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

bool fd_is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

// ---------------------------------------------------------------- well-formed

BOOST_AUTO_TEST_CASE(empty_buffer_is_ok_and_adds_nothing) {
    auto p = parse("");
    BOOST_TEST(p.status.ok());
    BOOST_TEST(p.records.empty());
}

BOOST_AUTO_TEST_CASE(event_without_info_records) {
    auto p = parse(event(meta(FAN_Q_OVERFLOW, 0)));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const auto& r = p.records[0];
    BOOST_TEST(r.mask == FAN_Q_OVERFLOW);
    BOOST_TEST(r.pid == 0);
    BOOST_TEST(!r.fid.has_value());
    BOOST_TEST(!r.dir.has_value());
    BOOST_TEST(r.name.empty());
    BOOST_TEST(!r.old_dir.has_value());
    BOOST_TEST(!r.new_dir.has_value());
    BOOST_TEST(r.old_name.empty());
    BOOST_TEST(r.new_name.empty());
}

BOOST_AUTO_TEST_CASE(fid_only_event) {
    auto p = parse(event(meta(FAN_ATTRIB | FAN_DELETE_SELF, 77),
                         {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const auto& r = p.records[0];
    BOOST_TEST(r.mask == (FAN_ATTRIB | FAN_DELETE_SELF));
    BOOST_TEST(r.pid == 77);
    check_handle(r.fid, kFsid, 1, kHandleA);
    BOOST_TEST(!r.dir.has_value());
    BOOST_TEST(r.name.empty());
}

BOOST_AUTO_TEST_CASE(dfid_name_and_fid) {
    // "f" + NUL = 2 bytes, so the record carries 2 bytes of padding.
    std::string dfid = fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "f");
    BOOST_TEST(dfid.size() == 4u + 8u + 8u + 8u + 2u + 2u);
    auto p = parse(event(meta(FAN_MODIFY, 1234),
                         {dfid, fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid2, 0x81, kHandleB)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const auto& r = p.records[0];
    BOOST_TEST(r.mask == FAN_MODIFY);
    BOOST_TEST(r.pid == 1234);
    check_handle(r.dir, kFsid, 1, kHandleA);
    BOOST_TEST(r.name == "f");
    BOOST_TEST(r.name.size() == 1u);
    check_handle(r.fid, kFsid2, 0x81, kHandleB);
}

BOOST_AUTO_TEST_CASE(name_needing_no_padding_and_dot_name) {
    // "abc" + NUL = 4 bytes: no padding.
    std::string dfid = fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "abc");
    BOOST_TEST(dfid.size() % 4 == 0u);
    BOOST_TEST(dfid.size() == 4u + 8u + 8u + 8u + 4u);
    auto p = parse(event(meta(FAN_CREATE, 5), {dfid}) +
                   event(meta(FAN_MOVE_SELF | FAN_ONDIR, 6),
                         {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleB, ".")}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 2u);
    BOOST_TEST(p.records[0].name == "abc");
    BOOST_TEST(p.records[0].mask == FAN_CREATE);
    check_handle(p.records[0].dir, kFsid, 1, kHandleA);
    BOOST_TEST(!p.records[0].fid.has_value());
    BOOST_TEST(p.records[1].name == ".");
    BOOST_TEST(p.records[1].mask == (FAN_MOVE_SELF | FAN_ONDIR));
    BOOST_TEST(p.records[1].pid == 6);
    check_handle(p.records[1].dir, kFsid, 1, kHandleB);
}

BOOST_AUTO_TEST_CASE(name_with_non_ascii_bytes_is_raw) {
    const std::string name("caf\xc3\xa9 \x01\xff", 8);
    auto p = parse(event(meta(FAN_CREATE, 1),
                         {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, name)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    BOOST_TEST(p.records[0].name == name);
}

BOOST_AUTO_TEST_CASE(dfid_without_name) {
    auto p = parse(event(meta(FAN_CREATE | FAN_ONDIR, 9),
                         {fid_info(FAN_EVENT_INFO_TYPE_DFID, kFsid, 2, kHandleB)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    check_handle(p.records[0].dir, kFsid, 2, kHandleB);
    BOOST_TEST(p.records[0].name.empty());
    BOOST_TEST(!p.records[0].fid.has_value());
}

BOOST_AUTO_TEST_CASE(empty_handle) {
    auto p = parse(event(meta(FAN_ATTRIB, 3),
                         {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 7, "", "x")}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    check_handle(p.records[0].dir, kFsid, 7, "");
    BOOST_TEST(p.records[0].name == "x");
}

BOOST_AUTO_TEST_CASE(rename_record_old_and_new) {
    const std::string handle_c("\x10\x20\x30\x40", 4);
    auto p = parse(event(meta(FAN_RENAME, 31337),
                         {fid_info(FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, kFsid, 1, kHandleA, "old name"),
                          fid_info(FAN_EVENT_INFO_TYPE_NEW_DFID_NAME, kFsid2, 1, kHandleB, "n"),
                          fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, handle_c)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const auto& r = p.records[0];
    BOOST_TEST(r.mask == FAN_RENAME);
    BOOST_TEST(r.pid == 31337);
    check_handle(r.old_dir, kFsid, 1, kHandleA);
    BOOST_TEST(r.old_name == "old name");
    check_handle(r.new_dir, kFsid2, 1, kHandleB);
    BOOST_TEST(r.new_name == "n");
    check_handle(r.fid, kFsid, 1, handle_c);
    BOOST_TEST(!r.dir.has_value());
    BOOST_TEST(r.name.empty());
}

BOOST_AUTO_TEST_CASE(unknown_info_types_are_skipped) {
    std::string pidfd_body;
    put<std::int32_t>(pidfd_body, 99);  // FAN_EVENT_INFO_TYPE_PIDFD: a pidfd number, not ours to close
    std::string future_body("\xff\xfe\xfd\xfc\x00\x00\x00\x00", 8);
    auto p = parse(event(meta(FAN_OPEN, 12),
                         {raw_info(200, future_body), fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "kept"),
                          raw_info(FAN_EVENT_INFO_TYPE_PIDFD, pidfd_body), raw_info(201, ""),
                          fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid2, 1, kHandleB)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const auto& r = p.records[0];
    BOOST_TEST(r.mask == FAN_OPEN);
    BOOST_TEST(r.pid == 12);
    check_handle(r.dir, kFsid, 1, kHandleA);
    BOOST_TEST(r.name == "kept");
    check_handle(r.fid, kFsid2, 1, kHandleB);
}

BOOST_AUTO_TEST_CASE(larger_metadata_len_skips_the_extra_header_bytes) {
    // A future kernel may grow the metadata; info records start at metadata_len.
    auto p = parse(event(meta(FAN_ACCESS, 8).extra_meta(std::string(8, '\x02')),
                         {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "ext")}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    BOOST_TEST(p.records[0].mask == FAN_ACCESS);
    check_handle(p.records[0].dir, kFsid, 1, kHandleA);
    BOOST_TEST(p.records[0].name == "ext");
}

BOOST_AUTO_TEST_CASE(several_events_back_to_back) {
    std::string buf = event(meta(FAN_CREATE, 100),
                            {fid_info(FAN_EVENT_INFO_TYPE_DFID_NAME, kFsid, 1, kHandleA, "one")}) +
                      event(meta(FAN_Q_OVERFLOW, 0)) +
                      event(meta(FAN_RENAME | FAN_ONDIR, 300),
                            {fid_info(FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, kFsid, 1, kHandleA, "from"),
                             fid_info(FAN_EVENT_INFO_TYPE_NEW_DFID_NAME, kFsid, 1, kHandleB, "to")}) +
                      event(meta(FAN_ATTRIB | FAN_DELETE_SELF, 400),
                            {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid2, 1, kHandleB)});
    FanRecord pre;
    pre.mask = 0xdead;
    pre.pid = 1;
    auto p = parse(buf, {pre});
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 5u);
    // Appends: what was in the vector stays first.
    BOOST_TEST(p.records[0].mask == 0xdeadu);
    BOOST_TEST(p.records[0].pid == 1);

    BOOST_TEST(p.records[1].mask == FAN_CREATE);
    BOOST_TEST(p.records[1].pid == 100);
    check_handle(p.records[1].dir, kFsid, 1, kHandleA);
    BOOST_TEST(p.records[1].name == "one");

    BOOST_TEST(p.records[2].mask == FAN_Q_OVERFLOW);
    BOOST_TEST(p.records[2].pid == 0);
    BOOST_TEST(!p.records[2].dir.has_value());
    BOOST_TEST(!p.records[2].fid.has_value());

    BOOST_TEST(p.records[3].mask == (FAN_RENAME | FAN_ONDIR));
    BOOST_TEST(p.records[3].pid == 300);
    check_handle(p.records[3].old_dir, kFsid, 1, kHandleA);
    check_handle(p.records[3].new_dir, kFsid, 1, kHandleB);
    BOOST_TEST(p.records[3].old_name == "from");
    BOOST_TEST(p.records[3].new_name == "to");
    BOOST_TEST(!p.records[3].dir.has_value());

    BOOST_TEST(p.records[4].mask == (FAN_ATTRIB | FAN_DELETE_SELF));
    BOOST_TEST(p.records[4].pid == 400);
    check_handle(p.records[4].fid, kFsid2, 1, kHandleB);
    BOOST_TEST(!p.records[4].dir.has_value());
}

BOOST_AUTO_TEST_CASE(views_point_into_the_buffer) {
    auto p = parse(good_event());
    BOOST_REQUIRE(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    const char* begin = p.storage.get();
    const char* end = begin + good_event().size();
    const auto& r = p.records[0];
    BOOST_TEST((r.name.data() >= begin && r.name.data() + r.name.size() < end));
    BOOST_TEST((r.dir->bytes.data() >= begin && r.dir->bytes.data() + r.dir->bytes.size() <= end));
    BOOST_TEST((r.fid->bytes.data() >= begin && r.fid->bytes.data() + r.fid->bytes.size() <= end));
}

BOOST_AUTO_TEST_CASE(full_64_bit_mask_and_negative_pid_fields_are_copied) {
    auto p = parse(event(meta(0x8000000100000001ull, -5)));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    BOOST_TEST(p.records[0].mask == 0x8000000100000001ull);
    BOOST_TEST(p.records[0].pid == -5);
}

// ------------------------------------------------------------------ event fds

BOOST_AUTO_TEST_CASE(event_fd_is_closed) {
    int fds[2];
    BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    BOOST_REQUIRE(fd_is_open(fds[0]));
    auto p = parse(event(meta(FAN_OPEN, 2).fd(fds[0]),
                         {fid_info(FAN_EVENT_INFO_TYPE_FID, kFsid, 1, kHandleA)}));
    BOOST_TEST(p.status.ok());
    BOOST_REQUIRE(p.records.size() == 1u);
    BOOST_TEST(p.records[0].mask == FAN_OPEN);
    errno = 0;
    BOOST_TEST(!fd_is_open(fds[0]));
    BOOST_TEST(errno == EBADF);
    // Only the event's fd: the other end of the pipe is untouched.
    BOOST_TEST(fd_is_open(fds[1]));
    ::close(fds[1]);
}

BOOST_AUTO_TEST_CASE(event_fds_of_several_events_are_all_closed) {
    int a[2], b[2];
    BOOST_REQUIRE(::pipe2(a, O_CLOEXEC) == 0);
    BOOST_REQUIRE(::pipe2(b, O_CLOEXEC) == 0);
    auto p = parse(event(meta(FAN_OPEN, 2).fd(a[0])) + event(meta(FAN_CLOSE_NOWRITE, 2).fd(b[1])));
    BOOST_TEST(p.status.ok());
    BOOST_TEST(p.records.size() == 2u);
    BOOST_TEST(!fd_is_open(a[0]));
    BOOST_TEST(!fd_is_open(b[1]));
    BOOST_TEST(fd_is_open(a[1]));
    BOOST_TEST(fd_is_open(b[0]));
    ::close(a[1]);
    ::close(b[0]);
}

BOOST_AUTO_TEST_CASE(event_fd_is_closed_even_when_its_info_records_are_bad) {
    int fds[2];
    BOOST_REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    auto p = parse(event(meta(FAN_OPEN, 2).fd(fds[0]), {raw_info(FAN_EVENT_INFO_TYPE_FID, "")}));
    BOOST_TEST(is_ebadmsg(p.status));
    BOOST_TEST(p.records.empty());
    BOOST_TEST(!fd_is_open(fds[0]));
    BOOST_TEST(fd_is_open(fds[1]));
    ::close(fds[1]);
}

// ------------------------------------------------------------------ malformed

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
