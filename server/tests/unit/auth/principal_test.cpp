#include "auth/principal.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sb::auth {
namespace {

TEST(Role, ParsesTheThreeRolesAndRoundTrips) {
  for (auto role : {Role::kClient, Role::kStaff, Role::kAdmin}) {
    EXPECT_EQ(parse_role(to_string(role)), role);
  }
  EXPECT_EQ(to_string(Role::kAdmin), "admin");
}

TEST(Role, RejectsAnythingElse) {
  for (std::string_view text : {"", "Client", "STAFF", "owner", "admin "}) {
    EXPECT_FALSE(parse_role(text)) << text;
  }
}

TEST(IsValidId, AcceptsTheAllowedCharactersUpTo128) {
  EXPECT_TRUE(is_valid_id("a"));
  EXPECT_TRUE(is_valid_id("Az09._:@-"));
  EXPECT_TRUE(is_valid_id("user@example.com"));
  EXPECT_TRUE(is_valid_id("org:tenant-1_b"));
  EXPECT_TRUE(is_valid_id(std::string(128, 'x')));
}

TEST(IsValidId, RejectsEmptyTooLongAndOtherCharacters) {
  EXPECT_FALSE(is_valid_id(""));
  EXPECT_FALSE(is_valid_id(std::string(129, 'x')));
  using std::string_view;
  for (string_view id :
       {string_view("a b"), string_view("a/b"), string_view("a+b"), string_view("a\nb"),
        string_view("é"), string_view("a#"), string_view("a%20"), string_view("a\0b", 3)}) {
    EXPECT_FALSE(is_valid_id(id)) << id;
  }
}

}  // namespace
}  // namespace sb::auth
