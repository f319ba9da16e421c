#include "service/hot_state.hpp"

#include <gtest/gtest.h>

namespace sb::service {
namespace {

call::Call open_call(const std::string& id) {
  call::Call c;
  c.id = id;
  c.org_id = "org";
  c.caller = {"carla", "Carla"};
  return c;
}

call::Call ended(call::Call c) {
  c.state = call::CallState::kEnded;
  c.end_reason = "hangup";
  c.version += 3;
  return c;
}

TEST(HotState, AnEndedCallIsStillFoundAsItEndedButIsNoLongerTheCallersOpenCall) {
  HotState hot(true);
  hot.put_call(open_call("c1"), std::vector<storage::Participant>{{"ben", 1, std::nullopt}});
  ASSERT_EQ(hot.open_call_of_caller("org", "carla"), "c1");
  hot.end_call(ended(open_call("c1")), std::vector<storage::Participant>{});
  const call::Call* found = hot.find_call("org", "c1");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->state, call::CallState::kEnded);
  EXPECT_EQ(found->end_reason, "hangup");
  EXPECT_EQ(hot.find_call("other-org", "c1"), nullptr);
  EXPECT_FALSE(hot.open_call_of_caller("org", "carla"));
  EXPECT_TRUE(hot.ringing_calls_of("org").empty());
  ASSERT_NE(hot.participants("c1"), nullptr);
  EXPECT_TRUE(hot.participants("c1")->empty());
}

TEST(HotState, AnEndedCallsParticipantsAreUnknownUnlessGivenWithTheEnd) {
  HotState hot(true);
  hot.put_call(open_call("c1"), std::vector<storage::Participant>{{"ben", 1, std::nullopt}});
  hot.end_call(ended(open_call("c1")));
  EXPECT_EQ(hot.participants("c1"), nullptr);  // Read again rather than trust the open ones.
  hot.set_participants("c1", {{"ben", 1, std::nullopt, storage::RingOutcome::kAccepted}});
  ASSERT_NE(hot.participants("c1"), nullptr);
  EXPECT_EQ(hot.participants("c1")->front().outcome, storage::RingOutcome::kAccepted);
}

// The answer to a hang-up renders the ended call with its quality: an ended call whose samples
// were counted while it was open here is answered without reading the database.
TEST(HotState, AnEndedCallStillKnowsWhetherItHadQualitySamplesIfItWasOpenHere) {
  HotState hot(true);
  hot.put_call(open_call("quiet"));
  hot.put_call(open_call("measured"));
  hot.count_quality_sample("measured");
  hot.end_call(ended(open_call("quiet")));
  hot.end_call(ended(open_call("measured")));
  hot.end_call(ended(open_call("never-open-here")));
  EXPECT_EQ(hot.has_quality("quiet"), false);
  EXPECT_EQ(hot.has_quality("measured"), true);
  EXPECT_EQ(hot.has_quality("never-open-here"), std::nullopt) << "its samples were never counted";
  EXPECT_EQ(hot.has_quality("unknown"), std::nullopt);

  // First seen already active (after a restart): samples may predate this process.
  call::Call active = open_call("recovered");
  active.state = call::CallState::kActive;
  hot.put_call(active);
  EXPECT_EQ(hot.has_quality("recovered"), std::nullopt);
  hot.end_call(ended(active));
  EXPECT_EQ(hot.has_quality("recovered"), std::nullopt);
}

TEST(HotState, KeepsOnlyTheLastEndedCalls) {
  HotState hot(true);
  for (std::size_t i = 0; i <= HotState::kMaxEnded; ++i) {
    hot.end_call(ended(open_call("c" + std::to_string(i))));
  }
  EXPECT_EQ(hot.find_call("org", "c0"), nullptr);
  EXPECT_NE(hot.find_call("org", "c1"), nullptr);
  EXPECT_NE(hot.find_call("org", "c" + std::to_string(HotState::kMaxEnded)), nullptr);
}

TEST(HotState, FollowsEachOrgsRingingAndQueuedCallsThroughTheirMoves) {
  HotState hot(true);
  auto in_org = [](const std::string& id, const std::string& org, call::CallState state,
                   std::int64_t created_at) {
    call::Call c = open_call(id);
    c.org_id = org;
    c.state = state;
    c.created_at_ms = created_at;
    return c;
  };
  hot.put_call(in_org("late", "org", call::CallState::kRinging, 20));
  hot.put_call(in_org("early", "org", call::CallState::kRinging, 10));
  hot.put_call(in_org("elsewhere", "other", call::CallState::kRinging, 5));
  hot.put_call(in_org("waiting", "org", call::CallState::kQueued, 30));
  EXPECT_EQ(hot.ringing_calls_of("org"), (std::vector<std::string>{"early", "late"}));
  EXPECT_TRUE(hot.has_queued("org"));
  EXPECT_FALSE(hot.has_queued("other"));

  hot.put_call(in_org("early", "org", call::CallState::kAccepted, 10));   // Taken.
  hot.put_call(in_org("waiting", "org", call::CallState::kRinging, 30));  // Promoted.
  EXPECT_EQ(hot.ringing_calls_of("org"), (std::vector<std::string>{"late", "waiting"}));
  EXPECT_FALSE(hot.has_queued("org"));

  hot.end_call(ended(in_org("late", "org", call::CallState::kRinging, 20)));
  hot.end_call(ended(in_org("waiting", "org", call::CallState::kRinging, 30)));
  EXPECT_TRUE(hot.ringing_calls_of("org").empty());
  EXPECT_EQ(hot.ringing_calls_of("other"), (std::vector<std::string>{"elsewhere"}));
}

TEST(HotState, RemembersNothingWhenTurnedOff) {
  HotState hot(false);  // Several nodes: other nodes change the same rows.
  hot.put_call(open_call("c1"));
  hot.end_call(ended(open_call("c1")));
  EXPECT_EQ(hot.find_call("org", "c1"), nullptr);
}

}  // namespace
}  // namespace sb::service
