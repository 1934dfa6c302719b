#define BOOST_TEST_MODULE user_names
#include <boost/test/unit_test.hpp>

#include <pwd.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <string>

#include "lib/user_names.hpp"

using fswait::UserNames;

namespace {

struct CountingLookup {
    std::map<uid_t, std::string> names;
    std::map<uid_t, int> calls;
    int total = 0;

    UserNames::Lookup fn() {
        return [this](uid_t uid) -> std::optional<std::string> {
            ++calls[uid];
            ++total;
            auto it = names.find(uid);
            if (it == names.end()) return std::nullopt;
            return it->second;
        };
    }
};

}  // namespace

BOOST_AUTO_TEST_CASE(known_uid_gives_the_name) {
    CountingLookup db;
    db.names[1000] = "alice";
    db.names[1001] = "bob";
    UserNames users(db.fn());
    BOOST_TEST(users.name(1000) == "alice");
    BOOST_TEST(users.name(1001) == "bob");
    BOOST_TEST(db.calls[1000] == 1);
    BOOST_TEST(db.calls[1001] == 1);
}

BOOST_AUTO_TEST_CASE(unknown_uid_gives_the_decimal_number) {
    CountingLookup db;
    UserNames users(db.fn());
    BOOST_TEST(users.name(1234) == "1234");
    BOOST_TEST(users.name(0) == "0");
    // uid_t is unsigned: the largest values are not negative numbers.
    BOOST_TEST(users.name(4294967294u) == "4294967294");
    BOOST_TEST(users.name(4294967295u) == "4294967295");
    BOOST_TEST(db.total == 4);
}

BOOST_AUTO_TEST_CASE(each_uid_is_looked_up_once) {
    CountingLookup db;
    db.names[1000] = "alice";
    UserNames users(db.fn());
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST(users.name(1000) == "alice");
        BOOST_TEST(users.name(2000) == "2000");  // absence is cached too
    }
    BOOST_TEST(db.calls[1000] == 1);
    BOOST_TEST(db.calls[2000] == 1);
    BOOST_TEST(db.total == 2);
}

BOOST_AUTO_TEST_CASE(cached_name_survives_a_database_change) {
    // The cache lives as long as the UserNames: a later rename in the
    // database is not seen, and the database is not asked again.
    CountingLookup db;
    db.names[1000] = "alice";
    UserNames users(db.fn());
    BOOST_TEST(users.name(1000) == "alice");
    db.names[1000] = "renamed";
    BOOST_TEST(users.name(1000) == "alice");
    BOOST_TEST(db.total == 1);
}

BOOST_AUTO_TEST_CASE(returned_references_stay_valid) {
    // name() returns a reference into the cache; adding many more uids (and
    // so rehashing) must not invalidate it.
    CountingLookup db;
    db.names[7] = "seven";
    UserNames users(db.fn());
    const std::string& seven = users.name(7);
    const std::string& eight = users.name(8);
    for (uid_t u = 100; u < 5100; ++u) (void)users.name(u);
    BOOST_TEST(seven == "seven");
    BOOST_TEST(eight == "8");
    BOOST_TEST(&users.name(7) == &seven);
    BOOST_TEST(db.total == 5002);
}

BOOST_AUTO_TEST_CASE(separate_instances_have_separate_caches) {
    CountingLookup db;
    db.names[1] = "one";
    UserNames a(db.fn());
    UserNames b(db.fn());
    BOOST_TEST(a.name(1) == "one");
    BOOST_TEST(b.name(1) == "one");
    BOOST_TEST(db.calls[1] == 2);
}

BOOST_AUTO_TEST_CASE(real_lookup_root) {
    UserNames users;
    BOOST_TEST(users.name(0) == "root");
    BOOST_TEST(users.name(0) == "root");
}

BOOST_AUTO_TEST_CASE(real_lookup_unused_uid) {
    // Make sure the test's premise holds on this machine.
    BOOST_REQUIRE(::getpwuid(4294967290u) == nullptr);
    UserNames users;
    BOOST_TEST(users.name(4294967290u) == "4294967290");
}

BOOST_AUTO_TEST_CASE(real_lookup_matches_getpwuid_for_own_euid) {
    uid_t me = ::geteuid();
    passwd* pw = ::getpwuid(me);
    std::string want = pw ? std::string(pw->pw_name) : std::to_string(me);
    UserNames users;
    BOOST_TEST(users.name(me) == want);
}
