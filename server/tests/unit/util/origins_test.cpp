// --cors-origins: origins in the form browsers send them, anything else refused by name.
#include "util/origins.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sb {
namespace {

TEST(OriginList, ParsesOriginsAsBrowsersSerializeThem) {
  std::string problem;
  const auto origins = parse_origin_list(
      " https://App.Example.com, http://localhost:5173,https://a.example:443,http://[::1]:80,"
      "https://app.example.com",
      &problem);
  ASSERT_TRUE(origins) << problem;
  EXPECT_EQ(*origins, (std::vector<std::string>{"https://app.example.com", "http://localhost:5173",
                                                "https://a.example", "http://[::1]"}));
  const auto none = parse_origin_list("", &problem);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(OriginList, RefusesWhatIsNotAnOrigin) {
  for (const char* bad : {"*", "app.example.com", "https://app.example.com/", "https://a.b/path",
                          "https://a.b?x=1", "https://a.b#f", "https://u:p@a.b", "ftp://a.b",
                          "https://", "https://a.b:", "null", "https://ok.example, nope"}) {
    std::string problem;
    EXPECT_FALSE(parse_origin_list(bad, &problem)) << bad;
    EXPECT_NE(problem.find("is not an origin"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace sb
