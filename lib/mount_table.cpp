#include "lib/mount_table.hpp"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <charconv>

#include "lib/unique_fd.hpp"

namespace fswait {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
            s[i + 3] <= '7') {
            out.push_back(static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::vector<std::string_view> split_fields(std::string_view line) {
    std::vector<std::string_view> f;
    std::size_t pos = 0;
    while (pos < line.size()) {
        auto sp = line.find(' ', pos);
        if (sp == std::string_view::npos) sp = line.size();
        f.push_back(line.substr(pos, sp - pos));
        pos = sp + 1;
    }
    return f;
}

template <class T>
bool to_num(std::string_view s, T& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_line(std::string_view line, Mount& m) {
    auto f = split_fields(line);
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    if (f.size() < 10) return false;
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (dash + 1 >= f.size()) return false;
    auto colon = f[2].find(':');
    unsigned maj = 0, min = 0;
    if (colon == std::string_view::npos || !to_num(f[0], m.id) || !to_num(f[1], m.parent) ||
        !to_num(f[2].substr(0, colon), maj) || !to_num(f[2].substr(colon + 1), min))
        return false;
    m.dev = makedev(maj, min);
    m.root = unescape(f[3]);
    m.mount_point = unescape(f[4]);
    m.fstype = std::string(f[dash + 1]);
    std::string_view opts = f[5];
    while (!opts.empty()) {
        auto comma = opts.find(',');
        if (opts.substr(0, comma) == "noexec") m.noexec = true;
        if (comma == std::string_view::npos) break;
        opts.remove_prefix(comma + 1);
    }
    return true;
}

}  // namespace

std::vector<Mount> parse_mountinfo(std::string_view text) {
    std::vector<Mount> out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        Mount m;
        if (parse_line(text.substr(pos, nl - pos), m)) out.push_back(std::move(m));
        pos = nl + 1;
    }
    return out;
}

bool is_pseudo_filesystem(std::string_view fstype) {
    static constexpr std::string_view kPseudo[] = {
        "proc",   "sysfs",    "devpts",   "cgroup",  "cgroup2",    "debugfs", "tracefs",
        "securityfs", "bpf",  "configfs", "fusectl", "pstore",     "mqueue",  "binfmt_misc",
        "autofs", "efivarfs", "rpc_pipefs", "nsfs",  "selinuxfs",
    };
    for (std::string_view p : kPseudo)
        if (fstype == p) return true;
    return false;
}

Result<std::vector<Mount>> read_mount_table(const char* path) {
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return errno_code();
    std::string text;
    char buf[16384];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_code();
        if (n == 0) break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    return parse_mountinfo(text);
}

}  // namespace fswait
