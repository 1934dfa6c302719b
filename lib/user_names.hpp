// uid -> user name, cached: a busy stream would otherwise ask NSS once per
// event. A uid without a passwd entry is spelled as its number.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>

namespace fswait {

class UserNames {
public:
    using Lookup = std::function<std::optional<std::string>(uid_t)>;

    UserNames();  // looks names up with getpwuid_r
    explicit UserNames(Lookup lookup) : lookup_(std::move(lookup)) {}

    const std::string& name(uid_t uid);

private:
    Lookup lookup_;
    std::unordered_map<uid_t, std::string> cache_;
};

}  // namespace fswait
