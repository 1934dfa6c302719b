#define BOOST_TEST_MODULE mount_table
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mount_table.hpp"

using fswait::Mount;
using fswait::parse_mountinfo;

namespace {

// dev_t is printed as major:minor so that failures are readable.
std::string devstr(dev_t d) { return std::to_string(major(d)) + ":" + std::to_string(minor(d)); }

void check_mount(const Mount& m, int id, int parent, unsigned maj, unsigned min, std::string_view root,
                 std::string_view mount_point, std::string_view fstype) {
    BOOST_TEST(m.id == id);
    BOOST_TEST(m.parent == parent);
    BOOST_TEST(m.dev == makedev(maj, min));
    BOOST_TEST(devstr(m.dev) == std::to_string(maj) + ":" + std::to_string(min));
    BOOST_TEST(m.root == root);
    BOOST_TEST(m.mount_point == mount_point);
    BOOST_TEST(m.fstype == fstype);
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_input) {
    BOOST_TEST(parse_mountinfo("").empty());
    BOOST_TEST(parse_mountinfo("\n").empty());
    BOOST_TEST(parse_mountinfo("\n\n\n").empty());
}

BOOST_AUTO_TEST_CASE(man_page_example_with_one_optional_field) {
    auto v = parse_mountinfo("36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n");
    BOOST_REQUIRE(v.size() == 1u);
    check_mount(v[0], 36, 35, 98, 0, "/mnt1", "/mnt/parent", "ext3");
}

BOOST_AUTO_TEST_CASE(two_optional_fields) {
    auto v = parse_mountinfo("29 1 8:1 / / rw,relatime shared:1 master:2 - ext4 /dev/sda1 rw,errors=remount-ro\n");
    BOOST_REQUIRE(v.size() == 1u);
    check_mount(v[0], 29, 1, 8, 1, "/", "/", "ext4");
}

BOOST_AUTO_TEST_CASE(no_optional_fields) {
    auto v = parse_mountinfo("612 580 0:52 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n");
    BOOST_REQUIRE(v.size() == 1u);
    check_mount(v[0], 612, 580, 0, 52, "/", "/proc", "proc");
}

BOOST_AUTO_TEST_CASE(many_optional_fields) {
    auto v = parse_mountinfo(
        "100 99 0:40 /sub /srv/data rw shared:7 master:3 propagate_from:2 unbindable - btrfs /dev/vdb rw,subvol=/sub\n");
    BOOST_REQUIRE(v.size() == 1u);
    check_mount(v[0], 100, 99, 0, 40, "/sub", "/srv/data", "btrfs");
}

BOOST_AUTO_TEST_CASE(real_looking_table) {
    const char* text =
        "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw,errors=remount-ro\n"
        "23 22 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:2 - sysfs sysfs rw\n"
        "24 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:13 - proc proc rw\n"
        "25 22 0:5 / /dev rw,nosuid,relatime shared:8 - devtmpfs udev rw,size=8000000k,nr_inodes=2000000,mode=755\n"
        "40 25 0:31 / /dev/shm rw,nosuid,nodev shared:9 - tmpfs tmpfs rw,inode64\n"
        "51 22 259:1 / /boot/efi rw,relatime shared:30 - vfat /dev/nvme0n1p1 rw,fmask=0077,dmask=0077\n"
        "77 22 0:45 / /home/u/.cache/doc rw,nosuid,nodev,relatime shared:42 - fuse.portal portal rw,user_id=1000\n"
        "90 22 259:2 /var/lib/bind /srv/bind rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n";
    auto v = parse_mountinfo(text);
    BOOST_REQUIRE(v.size() == 8u);
    check_mount(v[0], 22, 1, 259, 2, "/", "/", "ext4");
    check_mount(v[1], 23, 22, 0, 21, "/", "/sys", "sysfs");
    check_mount(v[2], 24, 22, 0, 22, "/", "/proc", "proc");
    check_mount(v[3], 25, 22, 0, 5, "/", "/dev", "devtmpfs");
    check_mount(v[4], 40, 25, 0, 31, "/", "/dev/shm", "tmpfs");
    check_mount(v[5], 51, 22, 259, 1, "/", "/boot/efi", "vfat");
    check_mount(v[6], 77, 22, 0, 45, "/", "/home/u/.cache/doc", "fuse.portal");
    check_mount(v[7], 90, 22, 259, 2, "/var/lib/bind", "/srv/bind", "ext4");
    // A bind mount shares the superblock's dev with its source.
    BOOST_TEST(v[7].dev == v[0].dev);
}

BOOST_AUTO_TEST_CASE(last_line_without_newline) {
    auto v = parse_mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 8:2 / /home rw - xfs /dev/sda2 rw");
    BOOST_REQUIRE(v.size() == 2u);
    check_mount(v[0], 1, 0, 8, 1, "/", "/", "ext4");
    check_mount(v[1], 2, 1, 8, 2, "/", "/home", "xfs");
}

BOOST_AUTO_TEST_CASE(dev_numbers_decode_like_makedev) {
    // Large majors and minors use the split encoding of dev_t.
    auto v = parse_mountinfo(
        "10 1 4095:1048575 / /a rw - ext4 /dev/x rw\n"
        "11 1 254:256 / /b rw - ext4 /dev/y rw\n"
        "12 1 0:0 / /c rw - ext4 /dev/z rw\n");
    BOOST_REQUIRE(v.size() == 3u);
    BOOST_TEST(v[0].dev == makedev(4095, 1048575));
    BOOST_TEST(major(v[0].dev) == 4095u);
    BOOST_TEST(minor(v[0].dev) == 1048575u);
    BOOST_TEST(v[1].dev == makedev(254, 256));
    BOOST_TEST(major(v[1].dev) == 254u);
    BOOST_TEST(minor(v[1].dev) == 256u);
    BOOST_TEST(v[2].dev == makedev(0, 0));
}

BOOST_AUTO_TEST_CASE(octal_escapes_in_mount_point) {
    auto v = parse_mountinfo(
        "50 22 0:60 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
        "51 22 0:61 / /mnt/with\\011tab rw - tmpfs tmpfs rw\n"
        "52 22 0:62 / /mnt/with\\012newline rw - tmpfs tmpfs rw\n"
        "53 22 0:63 / /mnt/back\\134slash rw - tmpfs tmpfs rw\n"
        "54 22 0:64 / /mnt/\\040\\040two\\040 rw - tmpfs tmpfs rw\n"
        "55 22 0:65 / \\134\\134\\040\\011 rw - tmpfs tmpfs rw\n");
    BOOST_REQUIRE(v.size() == 6u);
    BOOST_TEST(v[0].mount_point == "/mnt/with space");
    BOOST_TEST(v[1].mount_point == "/mnt/with\ttab");
    BOOST_TEST(v[2].mount_point == "/mnt/with\nnewline");
    BOOST_TEST(v[3].mount_point == "/mnt/back\\slash");
    BOOST_TEST(v[4].mount_point == "/mnt/  two ");
    BOOST_TEST(v[5].mount_point == "\\\\ \t");
    BOOST_TEST(v[0].fstype == "tmpfs");
    BOOST_TEST(v[5].id == 55);
}

BOOST_AUTO_TEST_CASE(octal_escapes_in_root) {
    auto v = parse_mountinfo("60 22 8:1 /dir\\040with\\134it /mnt/b rw - ext4 /dev/sda1 rw\n");
    BOOST_REQUIRE(v.size() == 1u);
    BOOST_TEST(v[0].root == "/dir with\\it");
    BOOST_TEST(v[0].mount_point == "/mnt/b");
}

BOOST_AUTO_TEST_CASE(backslashes_that_are_no_escape_are_kept) {
    auto v = parse_mountinfo(
        "70 22 0:1 / /a\\8x rw - tmpfs t rw\n"      // not octal
        "71 22 0:1 / /a\\04 rw - tmpfs t rw\n"      // too short, at the end
        "72 22 0:1 / /a\\ rw - tmpfs t rw\n"        // lone backslash at the end
        "73 22 0:1 / /a\\400 rw - tmpfs t rw\n"     // first digit above 3
        "74 22 0:1 / /a\\0409 rw - tmpfs t rw\n");  // escape followed by a digit
    BOOST_REQUIRE(v.size() == 5u);
    BOOST_TEST(v[0].mount_point == "/a\\8x");
    BOOST_TEST(v[1].mount_point == "/a\\04");
    BOOST_TEST(v[2].mount_point == "/a\\");
    BOOST_TEST(v[3].mount_point == "/a\\400");
    BOOST_TEST(v[4].mount_point == "/a 9");
}

BOOST_AUTO_TEST_CASE(fields_that_look_like_the_separator) {
    // A mount point or root named "-" is not the separator.
    auto v = parse_mountinfo(
        "80 22 0:70 - /mnt/x rw - tmpfs tmpfs rw\n"
        "81 22 0:71 / - rw shared:4 - tmpfs tmpfs rw\n");
    BOOST_REQUIRE(v.size() == 2u);
    check_mount(v[0], 80, 22, 0, 70, "-", "/mnt/x", "tmpfs");
    check_mount(v[1], 81, 22, 0, 71, "/", "-", "tmpfs");
}

BOOST_AUTO_TEST_CASE(malformed_lines_are_skipped) {
    const char* text =
        "garbage\n"
        "1 2 3\n"
        "90 22 8:1 / /no/separator rw shared:1 ext4 /dev/sda1 rw\n"  // no " - "
        "91 22 8:1 / /dash/last rw a b c -\n"                         // separator but no fstype
        "x 22 8:1 / /bad/id rw - ext4 /dev/sda1 rw\n"
        "92 y 8:1 / /bad/parent rw - ext4 /dev/sda1 rw\n"
        "93 22 81 / /no/colon rw - ext4 /dev/sda1 rw\n"
        "94 22 8:x / /bad/minor rw - ext4 /dev/sda1 rw\n"
        "95 22 :1 / /no/major rw - ext4 /dev/sda1 rw\n"
        "96 22 8: / /no/minor rw - ext4 /dev/sda1 rw\n"
        "97 22 -8:1 / /negative/major rw - ext4 /dev/sda1 rw\n"
        "98 22 99999999999:1 / /huge/major rw - ext4 /dev/sda1 rw\n"
        "99x 22 8:1 / /trailing/junk rw - ext4 /dev/sda1 rw\n"
        "100 22 8:1 / /short - ext4\n"
        "\n"
        "   \n"
        "-\n"
        "- - - - - - - - - -\n"
        "101 22 8:1 / /good rw - ext4 /dev/sda1 rw\n";
    auto v = parse_mountinfo(text);
    BOOST_REQUIRE(v.size() == 1u);
    check_mount(v[0], 101, 22, 8, 1, "/", "/good", "ext4");
}

BOOST_AUTO_TEST_CASE(good_lines_around_bad_ones_keep_their_order) {
    auto v = parse_mountinfo(
        "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
        "not a mount line at all, but long enough to have ten fields ok\n"
        "2 1 8:2 / /home rw - xfs /dev/sda2 rw\n"
        "3 1 8:3\n"
        "4 1 8:4 / /var rw - btrfs /dev/sda4 rw\n");
    BOOST_REQUIRE(v.size() == 3u);
    BOOST_TEST(v[0].id == 1);
    BOOST_TEST(v[0].mount_point == "/");
    BOOST_TEST(v[1].id == 2);
    BOOST_TEST(v[1].mount_point == "/home");
    BOOST_TEST(v[2].id == 4);
    BOOST_TEST(v[2].mount_point == "/var");
    BOOST_TEST(v[2].fstype == "btrfs");
}

BOOST_AUTO_TEST_CASE(binary_garbage_does_not_crash) {
    std::string junk;
    for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 131 + 7) & 0xff));
    junk += "\n5 1 8:5 / /after rw - ext4 /dev/sda5 rw\n";
    auto v = parse_mountinfo(junk);
    BOOST_REQUIRE(!v.empty());
    BOOST_TEST(v.back().id == 5);
    BOOST_TEST(v.back().mount_point == "/after");
    // Every prefix of a valid line: never a crash; whatever is accepted has
    // all the fields in front of the separator intact.
    const std::string line = "36 35 98:0 /mnt1 /mnt/par\\040ent rw,noatime master:1 - ext3 /dev/root rw\n";
    for (std::size_t len = 0; len <= line.size(); ++len) {
        auto p = parse_mountinfo(std::string_view(line).substr(0, len));
        BOOST_TEST_CONTEXT("prefix length " << len) {
            BOOST_TEST(p.size() <= 1u);
            for (const auto& m : p) {
                BOOST_TEST(m.id == 36);
                BOOST_TEST(m.parent == 35);
                BOOST_TEST(m.dev == makedev(98, 0));
                BOOST_TEST(m.root == "/mnt1");
                BOOST_TEST(m.mount_point == "/mnt/par ent");
                BOOST_TEST(!m.fstype.empty());
                BOOST_TEST(std::string_view("ext3").starts_with(m.fstype));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(read_mount_table_from_a_file) {
    char path[] = "/tmp/fswait-mountinfo-XXXXXX";
    int fd = ::mkstemp(path);
    BOOST_REQUIRE(fd >= 0);
    const std::string text =
        "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw\n"
        "bad line\n"
        "23 22 0:21 / /mnt/a\\040b rw - tmpfs tmpfs rw\n";
    BOOST_REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
    auto r = fswait::read_mount_table(path);
    ::unlink(path);
    BOOST_REQUIRE(r.ok());
    BOOST_REQUIRE(r->size() == 2u);
    check_mount((*r)[0], 22, 1, 259, 2, "/", "/", "ext4");
    check_mount((*r)[1], 23, 22, 0, 21, "/", "/mnt/a b", "tmpfs");
}

BOOST_AUTO_TEST_CASE(read_mount_table_missing_file) {
    auto r = fswait::read_mount_table("/nonexistent/fswait/mountinfo");
    BOOST_TEST(!r.ok());
    BOOST_TEST(r.error() == std::error_code(ENOENT, std::generic_category()));
}

BOOST_AUTO_TEST_CASE(read_real_mount_table) {
    auto r = fswait::read_mount_table();
    BOOST_REQUIRE(r.ok());
    BOOST_TEST(!r->empty());
    bool has_root = false;
    for (const auto& m : *r) {
        if (m.mount_point == "/") has_root = true;
        BOOST_TEST(!m.mount_point.empty());
        BOOST_TEST(!m.fstype.empty());
        BOOST_TEST(m.id > 0);
    }
    BOOST_TEST(has_root);
}

BOOST_AUTO_TEST_CASE(noexec_is_read_from_the_mount_options_only) {
    auto v = parse_mountinfo(
        "612 580 0:52 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
        "29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,noexec-like\n"
        "30 1 0:3 / /x noexec - tmpfs tmpfs rw\n"
        "31 1 0:4 / /y rw,noexecute - tmpfs tmpfs noexec\n");
    BOOST_REQUIRE(v.size() == 4u);
    BOOST_TEST(v[0].noexec);
    BOOST_TEST(!v[1].noexec);
    BOOST_TEST(v[2].noexec);
    BOOST_TEST(!v[3].noexec);
}
