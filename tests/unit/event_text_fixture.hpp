// Shared by the compat rendering tests: an EventText with only the fields
// that the default line and --csv look at.
#pragma once

#include <string_view>

#include "compat/format.hpp"

inline fswait::compat::EventText make_event_text(std::string_view w, std::string_view f, fswait::KindSet kinds,
                                                 bool is_dir = false) {
    fswait::compat::EventText ev;
    ev.w = w;
    ev.f = f;
    ev.kinds = kinds;
    ev.is_dir = is_dir;
    return ev;
}
