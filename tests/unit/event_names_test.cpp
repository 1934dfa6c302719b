#define BOOST_TEST_MODULE event_names
#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

#include "compat/event_names.hpp"

namespace fswait {
// Lets failing comparisons show the bits.
std::ostream& boost_test_print_type(std::ostream& os, KindSet k) { return os << std::hex << "0x" << k.bits(); }
}  // namespace fswait

using fswait::Kind;
using fswait::KindSet;
using fswait::compat::append_event_names;
using fswait::compat::EventMask;
using fswait::compat::parse_event_list;

namespace {

KindSet kinds_of(std::string_view arg) {
    const auto m = parse_event_list(arg);
    BOOST_REQUIRE(m.has_value());
    return m->kinds;
}

bool parses_to_empty(std::string_view arg) {
    const auto m = parse_event_list(arg);
    return m.has_value() && m->none();
}

std::string names(KindSet kinds, bool is_dir = false, char sep = ',') {
    std::string out;
    append_event_names(out, kinds, is_dir, sep);
    return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_single_name) {
    BOOST_TEST(kinds_of("access") == KindSet(Kind::access));
    BOOST_TEST(kinds_of("modify") == KindSet(Kind::modify));
    BOOST_TEST(kinds_of("attrib") == KindSet(Kind::attrib));
    BOOST_TEST(kinds_of("close_write") == KindSet(Kind::close_write));
    BOOST_TEST(kinds_of("close_nowrite") == KindSet(Kind::close_nowrite));
    BOOST_TEST(kinds_of("open") == KindSet(Kind::open));
    BOOST_TEST(kinds_of("moved_to") == KindSet(Kind::moved_to));
    BOOST_TEST(kinds_of("moved_from") == KindSet(Kind::moved_from));
    BOOST_TEST(kinds_of("move_self") == KindSet(Kind::move_self));
    BOOST_TEST(kinds_of("create") == KindSet(Kind::create));
    BOOST_TEST(kinds_of("delete") == KindSet(Kind::delete_));
    BOOST_TEST(kinds_of("delete_self") == KindSet(Kind::delete_self));
    BOOST_TEST(kinds_of("unmount") == KindSet(Kind::unmount));
    BOOST_TEST(kinds_of("q_overflow") == KindSet(Kind::overflow));
    BOOST_TEST(kinds_of("ignored") == KindSet(Kind::ignored));
}

BOOST_AUTO_TEST_CASE(group_names_expand) {
    BOOST_TEST(kinds_of("close") == (Kind::close_write | Kind::close_nowrite));
    BOOST_TEST(kinds_of("move") == (Kind::moved_from | Kind::moved_to));
    BOOST_TEST(kinds_of("all_events") == fswait::kAllFileKinds);
    BOOST_TEST(!kinds_of("all_events").has(Kind::unmount));
    BOOST_TEST(!kinds_of("all_events").has(Kind::ignored));
    BOOST_TEST(!kinds_of("all_events").has(Kind::overflow));
}

BOOST_AUTO_TEST_CASE(flags_are_not_kinds) {
    const auto isdir = parse_event_list("isdir");
    BOOST_REQUIRE(isdir.has_value());
    BOOST_TEST(isdir->isdir);
    BOOST_TEST(!isdir->oneshot);
    BOOST_TEST(isdir->kinds.empty());
    BOOST_TEST(!isdir->none());  // E182: -e isdir does not fall back to all events

    const auto oneshot = parse_event_list("ONESHOT,create");
    BOOST_REQUIRE(oneshot.has_value());
    BOOST_TEST(oneshot->oneshot);
    BOOST_TEST(!oneshot->isdir);
    BOOST_TEST(oneshot->kinds == KindSet(Kind::create));
}

BOOST_AUTO_TEST_CASE(case_insensitive) {
    BOOST_TEST(kinds_of("CrEaTe") == KindSet(Kind::create));
    BOOST_TEST(kinds_of("CLOSE_WRITE,Moved_To") == (Kind::close_write | Kind::moved_to));
    BOOST_TEST(kinds_of("All_Events") == fswait::kAllFileKinds);
    BOOST_TEST(kinds_of("Q_OVERFLOW") == KindSet(Kind::overflow));
}

BOOST_AUTO_TEST_CASE(comma_list) {
    BOOST_TEST(kinds_of("open,modify,access") == (Kind::open | Kind::modify | Kind::access));
    BOOST_TEST(kinds_of("create,create") == KindSet(Kind::create));
}

BOOST_AUTO_TEST_CASE(unknown_name_rejects_whole_argument) {
    BOOST_TEST(!parse_event_list("foo").has_value());         // E39
    BOOST_TEST(!parse_event_list("create,foo").has_value());  // E40
    BOOST_TEST(!parse_event_list("foo,create").has_value());
    BOOST_TEST(!parse_event_list("mod").has_value());
    BOOST_TEST(!parse_event_list("open,mod,access,close").has_value());
    BOOST_TEST(!parse_event_list("foo,").has_value());
    BOOST_TEST(!parse_event_list("create,foo,,").has_value());
    BOOST_TEST(!parse_event_list("create ").has_value());
    BOOST_TEST(!parse_event_list("in_create").has_value());
    BOOST_TEST(!parse_event_list("a,,b").has_value());  // 'a' is unknown before the empty item
}

BOOST_AUTO_TEST_CASE(empty_items_empty_the_whole_argument) {  // E41
    BOOST_TEST(parses_to_empty(""));
    BOOST_TEST(parses_to_empty("create,"));
    BOOST_TEST(parses_to_empty(",create"));
    BOOST_TEST(parses_to_empty("create,,modify"));
    BOOST_TEST(parses_to_empty("open,modify,,access,close"));
    BOOST_TEST(parses_to_empty(","));
    BOOST_TEST(parses_to_empty(",,"));
    BOOST_TEST(parses_to_empty("close,,"));
    BOOST_TEST(parses_to_empty("isdir,"));
    // Left to right, the empty item comes first, so the unknown name is never looked at.
    BOOST_TEST(parses_to_empty(",foo"));
    BOOST_TEST(parses_to_empty("create,,foo"));
}

BOOST_AUTO_TEST_CASE(mask_union_and_none) {
    EventMask m;
    BOOST_TEST(m.none());
    m |= *parse_event_list("create");
    m |= *parse_event_list("");
    m |= *parse_event_list("isdir");
    BOOST_TEST(!m.none());
    BOOST_TEST(m.kinds == KindSet(Kind::create));
    BOOST_TEST(m.isdir);
    BOOST_TEST(!m.oneshot);
    m |= *parse_event_list("oneshot,delete");
    BOOST_TEST(m.kinds == (Kind::create | Kind::delete_));
    BOOST_TEST(m.oneshot);

    EventMask only_oneshot;
    only_oneshot.oneshot = true;
    BOOST_TEST(!only_oneshot.none());
}

BOOST_AUTO_TEST_CASE(single_names_print_upper_case) {
    BOOST_TEST(names(Kind::access) == "ACCESS");
    BOOST_TEST(names(Kind::modify) == "MODIFY");
    BOOST_TEST(names(Kind::attrib) == "ATTRIB");
    BOOST_TEST(names(Kind::open) == "OPEN");
    BOOST_TEST(names(Kind::moved_from) == "MOVED_FROM");
    BOOST_TEST(names(Kind::moved_to) == "MOVED_TO");
    BOOST_TEST(names(Kind::create) == "CREATE");
    BOOST_TEST(names(Kind::delete_) == "DELETE");
    BOOST_TEST(names(Kind::delete_self) == "DELETE_SELF");
    BOOST_TEST(names(Kind::move_self) == "MOVE_SELF");
    BOOST_TEST(names(Kind::unmount) == "UNMOUNT");
    BOOST_TEST(names(Kind::overflow) == "Q_OVERFLOW");
    BOOST_TEST(names(Kind::ignored) == "IGNORED");
}

BOOST_AUTO_TEST_CASE(close_is_added_never_alone) {  // E36
    BOOST_TEST(names(Kind::close_write) == "CLOSE_WRITE,CLOSE");
    BOOST_TEST(names(Kind::close_nowrite) == "CLOSE_NOWRITE,CLOSE");
    BOOST_TEST(names(Kind::close_write | Kind::close_nowrite) == "CLOSE_WRITE,CLOSE_NOWRITE,CLOSE");
}

BOOST_AUTO_TEST_CASE(fixed_print_order) {
    BOOST_TEST(names(Kind::create, true) == "CREATE,ISDIR");
    BOOST_TEST(names(Kind::close_nowrite, true) == "CLOSE_NOWRITE,CLOSE,ISDIR");  // E14
    BOOST_TEST(names(Kind::unmount, true) == "UNMOUNT,ISDIR");                    // E104
    // MOVE_SELF comes after CLOSE, ISDIR after everything.
    BOOST_TEST(names(Kind::move_self | Kind::close_write, true) == "CLOSE_WRITE,CLOSE,MOVE_SELF,ISDIR");
    // fanotify merges: OPEN printed after CLOSE_WRITE although it happened first (E143, E144).
    BOOST_TEST(names(Kind::attrib | Kind::close_write | Kind::open) == "ATTRIB,CLOSE_WRITE,OPEN,CLOSE");
    BOOST_TEST(names(Kind::access | Kind::close_nowrite | Kind::open, true) ==
               "ACCESS,CLOSE_NOWRITE,OPEN,CLOSE,ISDIR");
    const KindSet everything = fswait::kAllFileKinds | Kind::unmount | Kind::overflow | Kind::ignored;
    BOOST_TEST(names(everything, true) ==
               "ACCESS,MODIFY,ATTRIB,CLOSE_WRITE,CLOSE_NOWRITE,OPEN,MOVED_FROM,MOVED_TO,CREATE,DELETE,"
               "DELETE_SELF,UNMOUNT,Q_OVERFLOW,IGNORED,CLOSE,MOVE_SELF,ISDIR");
}

BOOST_AUTO_TEST_CASE(separator_and_append) {
    BOOST_TEST(names(Kind::close_nowrite, true, ':') == "CLOSE_NOWRITE:CLOSE:ISDIR");
    BOOST_TEST(names(Kind::close_nowrite, true, '_') == "CLOSE_NOWRITE_CLOSE_ISDIR");
    BOOST_TEST(names(Kind::create, true, '\0') == std::string("CREATE\0ISDIR", 12));
    std::string out = "prefix ";
    append_event_names(out, Kind::create, false, ',');
    BOOST_TEST(out == "prefix CREATE");
}

BOOST_AUTO_TEST_CASE(empty_set_prints_nothing) {
    BOOST_TEST(names(KindSet{}) == "");
    BOOST_TEST(names(KindSet{}, true) == "ISDIR");
}
