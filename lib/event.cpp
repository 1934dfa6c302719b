#include "lib/event.hpp"

namespace fswait {

std::string_view kind_name(Kind k) {
    switch (k) {
    case Kind::access: return "access";
    case Kind::modify: return "modify";
    case Kind::attrib: return "attrib";
    case Kind::close_write: return "close_write";
    case Kind::close_nowrite: return "close_nowrite";
    case Kind::open: return "open";
    case Kind::moved_from: return "moved_from";
    case Kind::moved_to: return "moved_to";
    case Kind::create: return "create";
    case Kind::delete_: return "delete";
    case Kind::delete_self: return "delete_self";
    case Kind::move_self: return "move_self";
    case Kind::unmount: return "unmount";
    case Kind::overflow: return "q_overflow";
    case Kind::ignored: return "ignored";
    }
    return "unknown";
}

}  // namespace fswait
