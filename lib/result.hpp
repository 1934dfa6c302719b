// Result<T>: a value or a std::error_code. lib/ reports every failure this way
// and never prints; the mains turn errors into one line on stderr.
#pragma once

#include <cerrno>
#include <system_error>
#include <utility>
#include <variant>

namespace fswait {

inline std::error_code errno_code(int e = errno) { return {e, std::generic_category()}; }

template <class T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(std::error_code ec) : v_(ec) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    std::error_code error() const { return ok() ? std::error_code{} : std::get<1>(v_); }

private:
    std::variant<T, std::error_code> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(std::error_code ec) : ec_(ec) {}
    bool ok() const { return !ec_; }
    explicit operator bool() const { return ok(); }
    std::error_code error() const { return ec_; }

private:
    std::error_code ec_;
};

using Status = Result<void>;

}  // namespace fswait
