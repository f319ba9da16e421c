// A call as the wire shows it: `quality` on terminal calls only, from the summary given.

#include "service/call_json.hpp"

#include <gtest/gtest.h>

namespace sb::service {
namespace {

call::Call a_call(call::CallState state) {
  call::Call c;
  c.id = "call_1";
  c.org_id = "org1";
  c.state = state;
  c.caller = {"cat", "Cat"};
  return c;
}

TEST(CallForWire, AnOpenCallHasNoQuality) {
  storage::CallQuality quality;
  quality.caller = storage::QualitySummary{};
  const auto out = call_for_wire(a_call(call::CallState::kActive), quality);
  EXPECT_EQ(out, call_to_json(a_call(call::CallState::kActive)));
  EXPECT_FALSE(out.contains("quality"));
}

TEST(CallForWire, ATerminalCallShowsTheSummaryGiven) {
  storage::CallQuality quality;
  quality.caller = storage::QualitySummary{};
  quality.caller->samples = 2;
  const auto out = call_for_wire(a_call(call::CallState::kEnded), quality);
  EXPECT_EQ(out.at("quality").at("caller").at("samples").as_int64(), 2);
  EXPECT_TRUE(out.at("quality").at("staff").is_null());
}

TEST(CallForWire, ATerminalCallWhoseSummaryCouldNotBeReadShowsNull) {
  const auto out = call_for_wire(a_call(call::CallState::kMissed), std::nullopt);
  EXPECT_TRUE(out.at("quality").is_null());
}

}  // namespace
}  // namespace sb::service
