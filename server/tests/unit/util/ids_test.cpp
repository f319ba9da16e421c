#include "util/ids.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace sb {
namespace {

TEST(RandomId, IsThePrefixAnd24LowercaseHexCharacters) {
  const std::string id = random_id("call_");
  ASSERT_EQ(id.size(), 5u + 24u);
  EXPECT_TRUE(id.starts_with("call_"));
  for (char c : id.substr(5)) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
}

TEST(RandomId, NeverRepeatsAndUsesEveryHexDigitInEveryPlace) {
  std::set<std::string> seen;
  // Each of the 24 places sees all 16 digits over 2,000 ids (a place stuck at a value, or a
  // byte read only half, shows up here).
  std::array<std::set<char>, 24> digits;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = random_id("");
    EXPECT_TRUE(seen.insert(id).second) << "repeated: " << id;
    for (std::size_t place = 0; place < 24; ++place) digits[place].insert(id[place]);
  }
  for (std::size_t place = 0; place < 24; ++place) EXPECT_EQ(digits[place].size(), 16u) << place;
}

TEST(TimeOrderedId, SortsInTheOrderItWasMadeWithinOneMillisecond) {
  std::string before = time_ordered_id("call_", 1'700'000'000'000);
  ASSERT_EQ(before.size(), 5u + 28u);
  EXPECT_TRUE(before.starts_with("call_018bcfe56800"));  // 1,700,000,000,000 ms in 12 hex digits
  for (int i = 0; i < 1000; ++i) {
    const std::string next = time_ordered_id("call_", 1'700'000'000'000);
    // The 4-digit count wraps after 65,536 ids; 1,000 in one millisecond stay in order.
    EXPECT_LT(before, next);
    before = next;
  }
  EXPECT_LT(before, time_ordered_id("call_", 1'700'000'000'001));
}

TEST(TimeOrderedId, EndsIn48RandomBits) {
  std::set<std::string> tails;
  for (int i = 0; i < 1000; ++i) tails.insert(time_ordered_id("", 0).substr(16));
  EXPECT_EQ(tails.size(), 1000u);
}

}  // namespace
}  // namespace sb
