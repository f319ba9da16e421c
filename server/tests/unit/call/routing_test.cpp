#include "call/routing.hpp"

#include <gtest/gtest.h>

namespace sb::call {
namespace {

std::vector<std::string> ids(const std::vector<StaffCandidate>& v) {
  std::vector<std::string> out;
  for (const auto& c : v) out.push_back(c.id);
  return out;
}

const std::vector<StaffCandidate> kStaff{{"ana", "Ana", 300}, {"bo", "Bo", 100}, {"cy", "Cy", 200}};

TEST(Routing, RingAllRingsEveryCandidateNotRungBefore) {
  auto chosen = choose_staff_to_ring(RoutingMode::kRingAll, kStaff, std::nullopt, {"bo"}, true);
  EXPECT_EQ(ids(chosen), (std::vector<std::string>{"ana", "cy"}));
}

TEST(Routing, LongestIdleRingsTheOneIdleLongest) {
  auto chosen = choose_staff_to_ring(RoutingMode::kLongestIdle, kStaff, std::nullopt, {}, false);
  EXPECT_EQ(ids(chosen), (std::vector<std::string>{"bo"}));
}

TEST(Routing, LongestIdleMovesOnToTheNextAfterARing) {
  auto chosen =
      choose_staff_to_ring(RoutingMode::kLongestIdle, kStaff, std::nullopt, {"bo"}, false);
  EXPECT_EQ(ids(chosen), (std::vector<std::string>{"cy"}));
}

TEST(Routing, LongestIdleWaitsWhileSomeoneStillRings) {
  EXPECT_TRUE(
      choose_staff_to_ring(RoutingMode::kLongestIdle, kStaff, std::nullopt, {"bo"}, true).empty());
}

TEST(Routing, LongestIdleBreaksTiesById) {
  std::vector<StaffCandidate> tied{{"zed", "Z", 5}, {"amy", "A", 5}};
  EXPECT_EQ(ids(choose_staff_to_ring(RoutingMode::kLongestIdle, tied, std::nullopt, {}, false)),
            (std::vector<std::string>{"amy"}));
}

TEST(Routing, RequestedStaffNarrowsTheChoice) {
  EXPECT_EQ(ids(choose_staff_to_ring(RoutingMode::kRingAll, kStaff, "cy", {}, false)),
            (std::vector<std::string>{"cy"}));
  EXPECT_TRUE(choose_staff_to_ring(RoutingMode::kRingAll, kStaff, "nobody", {}, false).empty());
}

TEST(Routing, NobodyToRingGivesNothing) {
  EXPECT_TRUE(choose_staff_to_ring(RoutingMode::kRingAll, {}, std::nullopt, {}, false).empty());
}

TEST(Routing, ATopicIsServedOnlyByStaffWithThatSkill) {
  const std::vector<StaffCandidate> staff{
      {"ana", "Ana", 1, {"billing"}}, {"bo", "Bo", 2, {}}, {"cy", "Cy", 3, {"billing", "tech"}}};
  EXPECT_EQ(ids(serving(staff, std::string("billing"))), (std::vector<std::string>{"ana", "cy"}));
  EXPECT_EQ(ids(serving(staff, std::string("tech"))), (std::vector<std::string>{"cy"}));
  EXPECT_TRUE(serving(staff, std::string("sales")).empty());
  // A call without a topic is for everyone.
  EXPECT_EQ(ids(serving(staff, std::nullopt)), (std::vector<std::string>{"ana", "bo", "cy"}));
}

}  // namespace
}  // namespace sb::call
