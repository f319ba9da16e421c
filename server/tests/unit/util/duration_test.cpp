#include "util/duration.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

using std::chrono::milliseconds;

TEST(ParseDuration, ReadsEachUnit) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("45s"), milliseconds(45'000));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
}

TEST(ParseDuration, AcceptsZero) {
  EXPECT_EQ(parse_duration("0s"), milliseconds(0));
  EXPECT_EQ(parse_duration("0ms"), milliseconds(0));
}

TEST(ParseDuration, AcceptsCompoundsAndFractions) {
  EXPECT_EQ(parse_duration("1m30s"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("1h1m1s1ms"), milliseconds(3'661'001));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("0.25h"), milliseconds(900'000));
  EXPECT_EQ(parse_duration(".5s"), milliseconds(500));
  EXPECT_EQ(parse_duration("1.0009s"), milliseconds(1'000));
}

TEST(ParseDuration, RejectsABareNumber) {
  EXPECT_FALSE(parse_duration("45"));
  EXPECT_FALSE(parse_duration("0"));
  EXPECT_FALSE(parse_duration("1m30"));
}

TEST(ParseDuration, RejectsOtherShapes) {
  for (std::string_view bad : {"", "s", "ms", "45x", "45 s", " 45s", "45s ", "-5s", "+5s", "5S",
                               "5sec", "5.s", "1.2.3s", "5d", "1e3ms", "5s,"}) {
    EXPECT_FALSE(parse_duration(bad)) << bad;
  }
}

TEST(ParseDuration, RejectsHugeValues) {
  EXPECT_TRUE(parse_duration("876000h"));  // About 100 years.
  EXPECT_FALSE(parse_duration("900000h"));
  EXPECT_FALSE(parse_duration("99999999999999999999999ms"));
  EXPECT_FALSE(parse_duration("876000h876000h"));
}

}  // namespace
}  // namespace sb
