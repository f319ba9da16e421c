#include "net/connection_limits.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace sb::net {
namespace {

std::shared_ptr<ConnectionLimits> limits(std::size_t total, std::size_t per_ip,
                                         std::function<void()> give_back = nullptr) {
  return std::make_shared<ConnectionLimits>(total, per_ip, std::move(give_back));
}

TEST(ConnectionLimitsTest, RefusesBeyondThePerIpCapButServesOtherAddresses) {
  auto l = limits(100, 2);
  auto a1 = l->try_acquire("10.0.0.1");
  auto a2 = l->try_acquire("10.0.0.1");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(l->try_acquire("10.0.0.1"));
  EXPECT_EQ(l->last_refusal(), ConnectionLimits::Cap::kPerIp);
  EXPECT_STREQ(to_string(l->last_refusal()), "per_ip");
  EXPECT_TRUE(l->try_acquire("10.0.0.2"));
  EXPECT_EQ(l->open_from("10.0.0.1"), 2u);
}

TEST(ConnectionLimitsTest, RefusesBeyondTheTotalCapWhateverTheAddress) {
  auto l = limits(2, 10);
  auto a = l->try_acquire("10.0.0.1");
  auto b = l->try_acquire("10.0.0.2");
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(l->try_acquire("10.0.0.3"));
  EXPECT_EQ(l->last_refusal(), ConnectionLimits::Cap::kTotal);
  EXPECT_STREQ(to_string(l->last_refusal()), "total");
  EXPECT_EQ(l->open(), 2u);
}

TEST(ConnectionLimitsTest, RefusalsAreLoggedAtMostOnceASecondWithTheCountLeftOut) {
  auto l = limits(1, 1);
  using std::chrono::milliseconds;
  const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  std::uint64_t suppressed = 99;
  EXPECT_TRUE(l->should_log_refusal(t0, &suppressed));
  EXPECT_EQ(suppressed, 0u);
  for (int i = 1; i <= 5; ++i)
    EXPECT_FALSE(l->should_log_refusal(t0 + milliseconds(i * 100), &suppressed));
  EXPECT_TRUE(l->should_log_refusal(t0 + milliseconds(1000), &suppressed));
  EXPECT_EQ(suppressed, 5u);
  EXPECT_TRUE(l->should_log_refusal(t0 + milliseconds(2500), &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

TEST(ConnectionLimitsTest, ASlotGivesItsPlaceBackOnceWhenDestroyedOrReleased) {
  auto l = limits(1, 1);
  {
    auto slot = l->try_acquire("ip");
    ASSERT_TRUE(slot);
    ConnectionSlot moved = std::move(*slot);
    EXPECT_EQ(l->open(), 1u);
    moved.release();
    moved.release();
    EXPECT_EQ(l->open(), 0u);
  }
  EXPECT_EQ(l->open(), 0u);
  EXPECT_EQ(l->open_from("ip"), 0u);
  auto again = l->try_acquire("ip");
  EXPECT_TRUE(again);
  EXPECT_EQ(l->open(), 1u);
}

TEST(ConnectionLimitsTest, MoveAssignmentGivesBackThePlaceItOverwrites) {
  auto l = limits(10, 10);
  auto a = l->try_acquire("a");
  auto b = l->try_acquire("b");
  ASSERT_TRUE(a && b);
  *a = std::move(*b);
  EXPECT_EQ(l->open(), 1u);
  EXPECT_EQ(l->open_from("a"), 0u);
  EXPECT_EQ(l->open_from("b"), 1u);
}

TEST(ConnectionLimitsTest, AProxysConnectionCountsForTheClientWhoseRequestItCarries) {
  auto l = limits(100, 1);
  // Two connections from a trusted proxy: their clients are not known before a request.
  auto first = l->try_acquire("");
  auto second = l->try_acquire("");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(l->open(), 2u);
  EXPECT_TRUE(first->move_to("198.51.100.7"));
  EXPECT_EQ(l->open_from("198.51.100.7"), 1u);
  EXPECT_FALSE(second->move_to("198.51.100.7")) << "that client is at its cap";
  EXPECT_EQ(l->last_refusal(), ConnectionLimits::Cap::kPerIp);
  EXPECT_TRUE(second->move_to("198.51.100.8"));
  // The next request on the first connection is another client's.
  EXPECT_TRUE(first->move_to("198.51.100.9"));
  EXPECT_EQ(l->open_from("198.51.100.7"), 0u);
  EXPECT_TRUE(first->move_to("198.51.100.9")) << "the same client again";
  first.reset();
  second.reset();
  EXPECT_EQ(l->open(), 0u);
  EXPECT_EQ(l->open_from("198.51.100.8"), 0u);
  EXPECT_EQ(l->open_from("198.51.100.9"), 0u);
}

TEST(ConnectionLimitsTest, GivesMemoryBackOnceManyConnectionsHaveClosed) {
  int given_back = 0;
  auto l = limits(10000, 10000, [&] { ++given_back; });
  std::vector<ConnectionSlot> slots;
  for (int i = 0; i < 1000; ++i) slots.push_back(std::move(*l->try_acquire("ip")));
  for (int i = 0; i < 100; ++i) slots.pop_back();
  EXPECT_EQ(given_back, 0) << "a few closed connections are not worth a heap walk";
  while (slots.size() > 500) slots.pop_back();
  EXPECT_EQ(given_back, 1);
  while (slots.size() > 400) slots.pop_back();
  EXPECT_EQ(given_back, 1) << "counted from the level of the last give-back";
}

}  // namespace
}  // namespace sb::net
