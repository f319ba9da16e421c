// The ops dashboard's comparison of ICE profiles (docs/config.md#ice-server-profiles).

#include "service/ice_profile_summary.hpp"

#include <gtest/gtest.h>

namespace sb::service {
namespace {

CallWithQuality accepted(const char* profile, call::CallState state, std::optional<int> connect_ms,
                         std::optional<std::string> route = std::nullopt) {
  CallWithQuality row;
  row.call.state = state;
  row.call.ice_profile = profile;
  row.call.accepted_at_ms = 1000;
  if (connect_ms) row.call.active_at_ms = 1000 + *connect_ms;
  if (route) {
    row.quality.staff = storage::QualitySummary{};
    row.quality.staff->candidate_type = route;
  }
  return row;
}

TEST(IceProfileSummary, ComparesSuccessConnectTimeAndRelayShareByProfile) {
  using call::CallState;
  std::vector<CallWithQuality> rows{
      accepted("udp", CallState::kFailed, std::nullopt),
      accepted("udp", CallState::kEnded, 800, "srflx"),
      accepted("tls443", CallState::kEnded, 1500, "relay"),
      accepted("tls443", CallState::kEnded, 2500, "relay"),
      accepted("tls443", CallState::kActive, 500, "host"),
  };
  rows.emplace_back();  // Never accepted: drew nothing, counts nowhere.
  rows.back().call.state = CallState::kMissed;
  auto out = summarize_ice_profiles(rows);
  ASSERT_EQ(out.size(), 2u);
  const auto& tls = out[0].as_object();  // By name.
  const auto& udp = out[1].as_object();
  EXPECT_EQ(tls.at("profile").as_string(), "tls443");
  EXPECT_EQ(tls.at("accepted").as_int64(), 3);
  EXPECT_EQ(tls.at("connected").as_int64(), 3);
  EXPECT_DOUBLE_EQ(tls.at("success_rate").as_double(), 1.0);
  EXPECT_DOUBLE_EQ(tls.at("connect_seconds").at("p50").as_double(), 1.5);
  EXPECT_NEAR(tls.at("turn_share").as_double(), 2.0 / 3.0, 1e-9);
  EXPECT_EQ(udp.at("profile").as_string(), "udp");
  EXPECT_EQ(udp.at("failed").as_int64(), 1);
  EXPECT_DOUBLE_EQ(udp.at("success_rate").as_double(), 0.5);
  EXPECT_DOUBLE_EQ(udp.at("turn_share").as_double(), 0.0);
  EXPECT_EQ(udp.at("connect_seconds").at("count").as_uint64(), 1u);
}

TEST(IceProfileSummary, CallsFromBeforeProfilesCountAsUnknown) {
  auto row = accepted("x", call::CallState::kEnded, 100);
  row.call.ice_profile.reset();
  auto out = summarize_ice_profiles({row});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].at("profile").as_string(), "unknown");
  EXPECT_TRUE(out[0].at("turn_share").is_null());  // No route reported.
}

}  // namespace
}  // namespace sb::service
