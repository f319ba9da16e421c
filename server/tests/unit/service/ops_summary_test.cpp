// The ops dashboard's queue figures (docs/queue.md): waits, timeouts and the length now.

#include "service/ops_summary.hpp"

#include <gtest/gtest.h>

namespace sb::service {
namespace {

using call::CallState;

constexpr std::int64_t kRing = 45'000;

/// A call queued at `queued_at` with a 5 minute queue deadline, as the service stores it.
call::Call queued_call(std::int64_t queued_at) {
  call::Call c;
  c.state = CallState::kQueued;
  c.created_at_ms = queued_at;
  c.queued_at_ms = queued_at;
  c.queue_deadline_ms = queued_at + 300'000;
  c.ring_deadline_ms = *c.queue_deadline_ms;
  return c;
}

TEST(OpsSummaryQueue, AWaitEndsWhenTheCallRangOrEndedOrGoesOnNow) {
  call::Call promoted = queued_call(1000);
  promoted.state = CallState::kEnded;
  promoted.ring_deadline_ms = 31'000 + kRing;  // Promoted at 31 s.
  EXPECT_DOUBLE_EQ(*queue_wait_s(promoted, kRing, 100'000), 30.0);

  call::Call timed_out = queued_call(0);
  timed_out.state = CallState::kMissed;
  timed_out.end_reason = "queue_timeout";
  timed_out.ended_at_ms = 300'000;
  EXPECT_DOUBLE_EQ(*queue_wait_s(timed_out, kRing, 400'000), 300.0);

  EXPECT_DOUBLE_EQ(*queue_wait_s(queued_call(10'000), kRing, 25'000), 15.0);

  call::Call rang_at_once;
  rang_at_once.ring_deadline_ms = kRing;
  EXPECT_FALSE(queue_wait_s(rang_at_once, kRing, 1000));
}

TEST(OpsSummaryQueue, CountsWaitsTimeoutsAndCallersWhoLeftTheQueue) {
  std::vector<CallWithQuality> rows(5);
  rows[0].call.ring_deadline_ms = kRing;  // Never queued.
  rows[0].call.state = CallState::kEnded;
  rows[1].call = queued_call(0);
  rows[1].call.state = CallState::kEnded;
  rows[1].call.end_reason = "hangup";
  rows[1].call.ring_deadline_ms = 10'000 + kRing;
  rows[2].call = queued_call(0);
  rows[2].call.state = CallState::kMissed;
  rows[2].call.end_reason = "queue_timeout";
  rows[2].call.ended_at_ms = 300'000;
  rows[3].call = queued_call(0);
  rows[3].call.state = CallState::kCancelled;
  rows[3].call.end_reason = "caller_cancelled";
  rows[3].call.ended_at_ms = 20'000;
  rows[4].call = queued_call(340'000);  // Still waiting, for 20 s now.
  auto s = summarize_calls(rows, OpsContext{3600'000, 360'000, kRing, 1});
  const auto& queue = s.at("queue");
  EXPECT_EQ(queue.at("length").as_int64(), 1);
  EXPECT_EQ(queue.at("queued").as_uint64(), 4u);
  EXPECT_EQ(queue.at("timeouts").as_int64(), 1);
  EXPECT_EQ(queue.at("abandoned").as_int64(), 1);
  EXPECT_EQ(queue.at("wait_seconds").at("count").as_uint64(), 4u);
  EXPECT_DOUBLE_EQ(queue.at("wait_seconds").at("p50").as_double(), 20.0);
  EXPECT_DOUBLE_EQ(queue.at("wait_seconds").at("p99").as_double(), 300.0);
  EXPECT_EQ(s.at("funnel").at("queued").as_int64(), 4);
  EXPECT_EQ(s.at("funnel").at("queue_timeouts").as_int64(), 1);
}

}  // namespace
}  // namespace sb::service
