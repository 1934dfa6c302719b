#define BOOST_TEST_MODULE fanotify_records
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/fanotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "lib/fanotify_records.hpp"
#include "tests/unit/fanotify_bytes.hpp"

using fswait::FanRecord;
using namespace fswait::test::fan_bytes;

namespace {

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
