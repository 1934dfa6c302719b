// Shared by the fuzz targets: how raw fuzzer bytes become arguments, and how
// a broken property is reported.
#pragma once

#include <sanitizer/common_interface_defs.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace fuzz {

// n separators give n + 1 parts (empty ones included), so that every input
// is some list of arguments and seeds can be written by hand.
inline std::vector<std::string> split(std::string_view data, char sep) {
    std::vector<std::string> parts;
    for (;;) {
        const std::size_t at = data.find(sep);
        parts.emplace_back(data.substr(0, at));
        if (at == std::string_view::npos) return parts;
        data.remove_prefix(at + 1);
    }
}

// A fixed-size header read from the front; missing bytes read as zero, so a
// short input is still a valid case rather than one the fuzzer must skip.
class Reader {
public:
    Reader(const std::uint8_t* data, std::size_t size) : rest_(reinterpret_cast<const char*>(data), size) {}

    template <typename T>
    T take() {
        unsigned char buf[sizeof(T)] = {};
        const std::size_t n = rest_.size() < sizeof(T) ? rest_.size() : sizeof(T);
        std::memcpy(buf, rest_.data(), n);
        rest_.remove_prefix(n);
        T v;
        std::memcpy(&v, buf, sizeof v);
        return v;
    }

    std::string_view rest() const { return rest_; }

private:
    std::string_view rest_;
};

// The run scripts close the targets' stderr (-close_fd_mask=2: getopt's
// diagnostics would flood the log), so the reason goes through the
// sanitizer's report channel, which libFuzzer keeps open; abort() then makes
// libFuzzer save the input as a crash.
[[noreturn]] inline void violated(const char* what, const char* file, int line) {
    std::string text = std::string("property violated: ") + what + " (" + file + ":" + std::to_string(line) + ")";
    __sanitizer_report_error_summary(text.c_str());
    std::abort();
}

}  // namespace fuzz

#define FUZZ_CHECK(cond) \
    do { \
        if (!(cond)) ::fuzz::violated(#cond, __FILE__, __LINE__); \
    } while (0)
