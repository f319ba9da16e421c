// The --ice-profiles file (docs/config.md#ice-server-profiles): what it accepts, what it refuses
// and how calls draw.

#include "util/ice_profiles.hpp"

#include <gtest/gtest.h>

namespace sb {
namespace {

std::vector<IceProfile> parsed(std::string_view json) {
  auto r = parse_ice_profiles(json);
  if (auto* e = std::get_if<IceProfilesError>(&r)) ADD_FAILURE() << e->message;
  auto* ok = std::get_if<std::vector<IceProfile>>(&r);
  return ok ? *ok : std::vector<IceProfile>{};
}

std::string error_of(std::string_view json) {
  auto r = parse_ice_profiles(json);
  auto* e = std::get_if<IceProfilesError>(&r);
  return e ? e->message : "(accepted)";
}

TEST(IceProfiles, ReadsTheContractsExample) {
  auto p = parsed(R"([
    {"name": "udp", "weight": 50, "stun_urls": ["stun:t:3478"], "turn_urls": ["turn:t:3478"]},
    {"name": "tls443", "weight": 50.5, "turn_urls": ["turn:t:3478", "turns:t:443?transport=tcp"]}
  ])");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].name, "udp");
  EXPECT_EQ(p[0].weight, 50);
  EXPECT_EQ(p[0].stun_urls, (std::vector<std::string>{"stun:t:3478"}));
  EXPECT_EQ(p[1].weight, 50.5);
  EXPECT_TRUE(p[1].stun_urls.empty());
  EXPECT_EQ(p[1].turn_urls.back(), "turns:t:443?transport=tcp");
}

TEST(IceProfiles, RefusesWhatWouldSilentlyMisbehave) {
  EXPECT_NE(error_of("{").find("not JSON"), std::string::npos);
  EXPECT_EQ(error_of("[]"), "must be a non-empty JSON list of profiles");
  EXPECT_EQ(error_of(R"({"name": "a"})"), "must be a non-empty JSON list of profiles");
  EXPECT_EQ(error_of(R"([{"name": "a", "wieght": 1}])"),
            "profile 1: unknown key \"wieght\" (keys: name, weight, stun_urls, turn_urls)");
  EXPECT_EQ(error_of(R"([{"weight": 1}])"),
            "profile 1: \"name\" must be 1 to 64 letters, digits, '_', '-' or '.'");
  EXPECT_EQ(error_of(R"([{"name": "a b", "weight": 1}])"),
            "profile 1: \"name\" must be 1 to 64 letters, digits, '_', '-' or '.'");
  EXPECT_EQ(error_of(R"([{"name": "a"}])"), "profile 1 (\"a\"): \"weight\" must be a number");
  EXPECT_EQ(error_of(R"([{"name": "a", "weight": -1}])"),
            "profile 1 (\"a\"): \"weight\" must be 0 or more");
  EXPECT_EQ(error_of(R"([{"name": "a", "weight": 1}, {"name": "a", "weight": 1}])"),
            "two profiles are named \"a\"");
  EXPECT_EQ(error_of(R"([{"name": "a", "weight": 0}])"),
            "every weight is 0: no profile could be drawn");
  EXPECT_EQ(error_of(R"([{"name": "a", "weight": 1, "turn_urls": ["stun:t"]}])"),
            "profile 1 (\"a\"): \"turn_urls\": \"stun:t\" is not a turn: or turns: URL");
  EXPECT_EQ(error_of(R"([{"name": "a", "weight": 1, "stun_urls": "stun:t"}])"),
            "profile 1 (\"a\"): \"stun_urls\" is not a list of URLs");
}

TEST(IceProfiles, DrawsByWeightAndNeverAWeightOfZero) {
  std::vector<IceProfile> p{{"a", 1, {}, {}}, {"off", 0, {}, {}}, {"b", 3, {}, {}}};
  EXPECT_EQ(draw_ice_profile(p, 0.0).name, "a");
  EXPECT_EQ(draw_ice_profile(p, 0.2499).name, "a");
  EXPECT_EQ(draw_ice_profile(p, 0.25).name, "b");
  EXPECT_EQ(draw_ice_profile(p, 0.9999999).name, "b");
  EXPECT_EQ(draw_ice_profile(p, 1.0).name, "b");  // Rounding at the top end.
}

}  // namespace
}  // namespace sb
