#include "util/clock.hpp"

#include <gtest/gtest.h>

#include <ctime>

namespace sb {
namespace {

TEST(FormatRfc3339Ms, WritesUtcWithMilliseconds) {
  EXPECT_EQ(format_rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_rfc3339_ms(1'796'601'600'123), "2026-12-07T00:00:00.123Z");
  EXPECT_EQ(format_rfc3339_ms(951'825'599'999), "2000-02-29T11:59:59.999Z");  // a leap day
  EXPECT_EQ(format_rfc3339_ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339Ms, AgreesWithGmtimeOverManyInstants) {
  // Every 77,777,777 ms (about 21.6 h) over 60 years: each field against the C library's calendar.
  for (std::int64_t ms = 0; ms < 1'900'000'000'000; ms += 77'777'777) {
    const std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char expected[32];
    std::strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%S", &tm);
    const std::string got = format_rfc3339_ms(ms);
    ASSERT_EQ(got.substr(0, 19), expected) << ms;
    ASSERT_EQ(got.substr(19), "." + std::to_string(1000 + ms % 1000).substr(1) + "Z") << ms;
  }
}

}  // namespace
}  // namespace sb
