#define BOOST_TEST_MODULE process_table
#include <boost/test/unit_test.hpp>

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "lib/process_table.hpp"
#include "lib/user_names.hpp"

using fswait::effective_uid_from_status;
using fswait::ProcessTable;
using fswait::UserNames;

namespace fs = std::filesystem;

namespace {

std::string status_text(std::string_view uid_line, std::string_view name_line = "Name:\tbash\n") {
    std::string s(name_line);
    s +=
        "Umask:\t0022\n"
        "State:\tS (sleeping)\n"
        "Tgid:\t4242\n"
        "Ngid:\t0\n"
        "Pid:\t4242\n"
        "PPid:\t4100\n"
        "TracerPid:\t0\n";
    s += uid_line;
    s +=
        "Gid:\t100\t100\t100\t100\n"
        "FDSize:\t256\n"
        "Groups:\t4 24 27 100 \n"
        "NStgid:\t4242\n"
        "VmPeak:\t   12345 kB\n"
        "Threads:\t1\n";
    return s;
}

// The effective uid, or -1 when there is none.
long long euid(std::string_view status) {
    auto u = effective_uid_from_status(status);
    return u ? static_cast<long long>(*u) : -1;
}

// A fake /proc in a temporary directory, removed at the end of the test.
struct FakeProc {
    fs::path root;

    FakeProc() {
        std::string tmpl = (fs::temp_directory_path() / "fswait-proc-XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        root = tmpl;
    }
    ~FakeProc() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }

    void write(const std::string& pid, const char* name, std::string_view content) {
        fs::create_directories(root / pid);
        std::ofstream f(root / pid / name, std::ios::binary | std::ios::trunc);
        f.write(content.data(), static_cast<std::streamsize>(content.size()));
        BOOST_REQUIRE(f.good());
    }

    // status's Name line as the kernel writes it: control bytes and
    // backslashes escaped, so such names must be read from comm instead.
    static std::string name_line(std::string_view comm) {
        if (!comm.empty() && comm.back() == '\n') comm.remove_suffix(1);
        std::string line = "Name:\t";
        for (char c : comm) {
            if (c == '\\' || static_cast<unsigned char>(c) < 0x20) line += "\\x";
            else line += c;
        }
        return line + "\n";
    }
    void add(const std::string& pid, std::string_view comm, std::string_view uid_line) {
        write(pid, "comm", comm);
        write(pid, "status", status_text(uid_line, name_line(comm)));
    }
};

// An injected user database that counts its calls.
struct Users {
    std::map<uid_t, std::string> names;
    std::map<uid_t, int> calls;
    UserNames user_names{[this](uid_t uid) -> std::optional<std::string> {
        ++calls[uid];
        auto it = names.find(uid);
        if (it == names.end()) return std::nullopt;
        return it->second;
    }};
};

}  // namespace

// --------------------------------------------------- effective_uid_from_status

BOOST_AUTO_TEST_CASE(status_uid_fields_differ) {
    auto uid = effective_uid_from_status(status_text("Uid:\t1000\t1001\t1002\t1003\n"));
    BOOST_REQUIRE(uid.has_value());
    BOOST_TEST(*uid == 1001u);
}

BOOST_AUTO_TEST_CASE(status_root_and_setuid) {
    BOOST_TEST(euid(status_text("Uid:\t0\t0\t0\t0\n")) == 0);
    // A setuid-root binary run by uid 1000.
    BOOST_TEST(euid(status_text("Uid:\t1000\t0\t0\t0\n")) == 0);
    // Dropped privileges: real 0, effective 65534.
    BOOST_TEST(euid(status_text("Uid:\t0\t65534\t0\t65534\n")) == 65534);
}

BOOST_AUTO_TEST_CASE(status_largest_uid) {
    BOOST_TEST(euid(status_text("Uid:\t1\t4294967294\t1\t1\n")) == 4294967294u);
}

BOOST_AUTO_TEST_CASE(status_uid_line_last_without_newline) {
    std::string s = "Name:\tx\nPid:\t1\nUid:\t5\t6\t7\t8";
    BOOST_TEST(euid(s) == 6);
}

BOOST_AUTO_TEST_CASE(status_uid_separated_by_spaces) {
    BOOST_TEST(euid("Name:\tx\nUid:  5  6  7  8\n") == 6);
}

BOOST_AUTO_TEST_CASE(status_gid_is_not_taken_for_uid) {
    // Gid before Uid, and a "Uid" inside another line, must not be used.
    std::string s = "Name:\tUid:\t9\t9\nGid:\t7\t8\t7\t7\nNotUid:\t3\t3\nUid:\t10\t11\t12\t13\n";
    BOOST_TEST(euid(s) == 11);
}

BOOST_AUTO_TEST_CASE(status_missing_uid_line) {
    std::string s = "Name:\tbash\nPid:\t4242\nGid:\t100\t100\t100\t100\n";
    BOOST_TEST(!effective_uid_from_status(s).has_value());
    BOOST_TEST(!effective_uid_from_status("").has_value());
}

BOOST_AUTO_TEST_CASE(status_garbage) {
    BOOST_TEST(!effective_uid_from_status("garbage").has_value());
    BOOST_TEST(!effective_uid_from_status("\n").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:\n").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\n").has_value());          // one field only
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\tabc\t1\t1\n").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\t12x\t1\t1\n").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\t-1\t1\t1\n").has_value());
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\t4294967296\t1\t1\n").has_value());  // overflow
    BOOST_TEST(!effective_uid_from_status("\nUid:\t1000\n\t1001\t1\t1\n").has_value());    // 2nd field on next line
    BOOST_TEST(!effective_uid_from_status(std::string_view("\nUid:\t1\t\0\t1\n", 10)).has_value());
}

// ------------------------------------------------------- status Name line

BOOST_AUTO_TEST_CASE(plain_name_comes_from_status) {
    using fswait::plain_name_from_status;
    BOOST_TEST(plain_name_from_status("Name:\ttouch\nUmask:\t0022\n").value_or("?") == "touch");
    BOOST_TEST(plain_name_from_status("Name:\tmy prog\n").value_or("?") == "my prog");
    BOOST_TEST(plain_name_from_status("Name:\t\n").value_or("?") == "");
    BOOST_TEST(!plain_name_from_status("Name:\ta\\nb\n").has_value());   // escaped newline
    BOOST_TEST(!plain_name_from_status("Name:\tback\\\\slash\n").has_value());
    BOOST_TEST(!plain_name_from_status("Umask:\t0022\nName:\tx\n").has_value());  // not first
}

// ------------------------------------------------------- ProcessTable, fake /proc

BOOST_AUTO_TEST_CASE(lookup_reads_comm_uid_and_user) {
    FakeProc proc;
    proc.add("4242", "myproc\n", "Uid:\t1000\t1001\t1002\t1003\n");
    Users users;
    users.names[1001] = "alice";
    users.names[1000] = "wrong-real-uid";
    ProcessTable table(users.user_names, proc.root.string());
    auto p = table.lookup(4242);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->pid == 4242);
    BOOST_TEST(p->comm == "myproc");
    BOOST_REQUIRE(p->uid.has_value());
    BOOST_TEST(*p->uid == 1001u);
    BOOST_TEST(p->user == "alice");
    BOOST_TEST(users.calls[1001] == 1);
    BOOST_TEST(users.calls.count(1000) == 0u);
}

BOOST_AUTO_TEST_CASE(user_without_name_is_the_number) {
    FakeProc proc;
    proc.add("7", "daemon\n", "Uid:\t0\t12345\t0\t0\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    auto p = table.lookup(7);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(*p->uid == 12345u);
    BOOST_TEST(p->user == "12345");
}

BOOST_AUTO_TEST_CASE(comm_without_newline) {
    FakeProc proc;
    proc.add("10", "nonl", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    auto p = table.lookup(10);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->comm == "nonl");
}

BOOST_AUTO_TEST_CASE(comm_full_15_bytes) {
    FakeProc proc;
    proc.add("11", "process_table_t\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    auto p = table.lookup(11);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->comm == "process_table_t");
    BOOST_TEST(p->comm.size() == 15u);
}

BOOST_AUTO_TEST_CASE(comm_with_newline_and_escape_bytes_is_raw) {
    FakeProc proc;
    proc.add("20", "a\nb\n", "Uid:\t1\t2\t3\t4\n");
    proc.add("21", "\x1b[31mred\x07\n", "Uid:\t1\t2\t3\t4\n");
    proc.add("22", std::string_view("x\\y\t\xff\n", 6), "Uid:\t1\t2\t3\t4\n");
    proc.add("23", "two\n\n", "Uid:\t1\t2\t3\t4\n");  // only one trailing newline is the terminator
    proc.add("24", "\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    auto a = table.lookup(20);
    auto b = table.lookup(21);
    auto c = table.lookup(22);
    auto d = table.lookup(23);
    auto e = table.lookup(24);
    BOOST_REQUIRE((a && b && c && d && e));
    BOOST_TEST(a->comm == "a\nb");
    BOOST_TEST(b->comm == "\x1b[31mred\x07");
    BOOST_TEST(c->comm == std::string("x\\y\t\xff", 5));
    BOOST_TEST(d->comm == "two\n");
    BOOST_TEST(e->comm == "");
}

BOOST_AUTO_TEST_CASE(status_without_uid_line) {
    FakeProc proc;
    proc.write("30", "comm", "nouid\n");
    proc.write("30", "status", "Name:\tnouid\nPid:\t30\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    auto p = table.lookup(30);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->comm == "nouid");
    BOOST_TEST(!p->uid.has_value());
    BOOST_TEST(p->user == "");
    BOOST_TEST(users.calls.empty());
}

BOOST_AUTO_TEST_CASE(missing_pid_is_null) {
    FakeProc proc;
    proc.add("40", "here\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(41) == nullptr);
    BOOST_TEST(table.lookup(400) == nullptr);
    BOOST_TEST(table.lookup(40) != nullptr);
}

BOOST_AUTO_TEST_CASE(missing_comm_or_status_is_null) {
    FakeProc proc;
    // An escaped Name sends the lookup to comm, which is missing.
    proc.write("50", "status", status_text("Uid:\t1\t2\t3\t4\n", "Name:\ta\\nb\n"));
    proc.write("51", "comm", "nostatus\n");
    fs::create_directories(proc.root / "52");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(50) == nullptr);
    BOOST_TEST(table.lookup(51) == nullptr);
    BOOST_TEST(table.lookup(52) == nullptr);
}

BOOST_AUTO_TEST_CASE(pid_that_is_a_file_not_a_directory_is_null) {
    FakeProc proc;
    std::ofstream(proc.root / "60") << "not a dir";
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(60) == nullptr);
}

BOOST_AUTO_TEST_CASE(pid_zero_and_negative_are_null) {
    // Entries exist for them, so only the pid check can make these null.
    FakeProc proc;
    proc.add("0", "zero\n", "Uid:\t1\t2\t3\t4\n");
    proc.add("-1", "minus\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(0) == nullptr);
    BOOST_TEST(table.lookup(-1) == nullptr);
    BOOST_TEST(users.calls.empty());
}

BOOST_AUTO_TEST_CASE(lookup_is_cached_within_a_batch) {
    FakeProc proc;
    proc.add("70", "before\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    users.names[2] = "two";
    users.names[9] = "nine";
    ProcessTable table(users.user_names, proc.root.string());
    table.begin_batch();
    auto first = table.lookup(70);
    BOOST_REQUIRE(first != nullptr);
    BOOST_TEST(first->comm == "before");

    // The process changes (exec, setuid) while the batch is being handled.
    proc.add("70", "after\n", "Uid:\t9\t9\t9\t9\n");
    auto again = table.lookup(70);
    BOOST_TEST(again.get() == first.get());
    BOOST_TEST(again->comm == "before");
    BOOST_TEST(*again->uid == 2u);
    BOOST_TEST(again->user == "two");

    table.begin_batch();
    auto next = table.lookup(70);
    BOOST_REQUIRE(next != nullptr);
    BOOST_TEST(next.get() != first.get());
    BOOST_TEST(next->comm == "after");
    BOOST_TEST(*next->uid == 9u);
    BOOST_TEST(next->user == "nine");
    // The old snapshot is unchanged for whoever still holds it.
    BOOST_TEST(first->comm == "before");
}

BOOST_AUTO_TEST_CASE(absence_is_cached_within_a_batch_too) {
    FakeProc proc;
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(80) == nullptr);
    proc.add("80", "late\n", "Uid:\t1\t2\t3\t4\n");
    BOOST_TEST(table.lookup(80) == nullptr);
    table.begin_batch();
    auto p = table.lookup(80);
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->comm == "late");
}

BOOST_AUTO_TEST_CASE(gone_process_after_a_new_batch_is_null) {
    FakeProc proc;
    proc.add("90", "short\n", "Uid:\t1\t2\t3\t4\n");
    Users users;
    ProcessTable table(users.user_names, proc.root.string());
    BOOST_TEST(table.lookup(90) != nullptr);
    fs::remove_all(proc.root / "90");
    BOOST_TEST(table.lookup(90) != nullptr);
    table.begin_batch();
    BOOST_TEST(table.lookup(90) == nullptr);
}

BOOST_AUTO_TEST_CASE(several_pids_in_one_batch) {
    FakeProc proc;
    proc.add("100", "one\n", "Uid:\t5\t5\t5\t5\n");
    proc.add("101", "two\n", "Uid:\t6\t6\t6\t6\n");
    proc.add("102", "three\n", "Uid:\t5\t5\t5\t5\n");
    Users users;
    users.names[5] = "five";
    ProcessTable table(users.user_names, proc.root.string());
    auto a = table.lookup(100);
    auto b = table.lookup(101);
    auto c = table.lookup(102);
    BOOST_REQUIRE((a && b && c));
    BOOST_TEST(a->comm == "one");
    BOOST_TEST(b->comm == "two");
    BOOST_TEST(c->comm == "three");
    BOOST_TEST(a->user == "five");
    BOOST_TEST(b->user == "6");
    BOOST_TEST(c->user == "five");
    // The user database is asked once per uid, across processes and batches.
    table.begin_batch();
    BOOST_TEST(table.lookup(100)->user == "five");
    BOOST_TEST(users.calls[5] == 1);
    BOOST_TEST(users.calls[6] == 1);
}

// ------------------------------------------------------------------- real /proc

BOOST_AUTO_TEST_CASE(real_proc_for_this_process) {
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    BOOST_REQUIRE(n > 0);
    std::string base = fs::path(std::string(exe, static_cast<std::size_t>(n))).filename().string();
    std::string want = base.substr(0, 15);

    Users users;
    users.names[::geteuid()] = "me";
    ProcessTable table(users.user_names);
    auto p = table.lookup(::getpid());
    BOOST_REQUIRE(p != nullptr);
    BOOST_TEST(p->pid == ::getpid());
    BOOST_TEST(p->comm == want);
    BOOST_REQUIRE(p->uid.has_value());
    BOOST_TEST(*p->uid == ::geteuid());
    BOOST_TEST(p->user == "me");
}

BOOST_AUTO_TEST_CASE(real_proc_with_the_real_user_database) {
    UserNames names;
    ProcessTable table(names);
    auto p = table.lookup(::getpid());
    BOOST_REQUIRE(p != nullptr);
    BOOST_REQUIRE(p->uid.has_value());
    BOOST_TEST(p->user == UserNames().name(::geteuid()));
}

BOOST_AUTO_TEST_CASE(real_proc_pid_that_does_not_exist) {
    Users users;
    ProcessTable table(users.user_names);
    // Above /proc/sys/kernel/pid_max's hard limit (4194304): never a pid.
    BOOST_TEST(table.lookup(4194305 + 7) == nullptr);
}
