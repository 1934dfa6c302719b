#include "lib/user_names.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace fswait {
namespace {

std::optional<std::string> getpw_name(uid_t uid) {
    long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
    for (;;) {
        passwd pw;
        passwd* result = nullptr;
        int rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &result);
        if (rc == ERANGE && buf.size() < (1u << 20)) {
            buf.resize(buf.size() * 2);
            continue;
        }
        if (rc != 0 || result == nullptr) return std::nullopt;
        return std::string(result->pw_name);
    }
}

}  // namespace

UserNames::UserNames() : lookup_(getpw_name) {}

const std::string& UserNames::name(uid_t uid) {
    auto it = cache_.find(uid);
    if (it != cache_.end()) return it->second;
    auto found = lookup_(uid);
    return cache_.emplace(uid, found ? *found : std::to_string(uid)).first->second;
}

}  // namespace fswait
