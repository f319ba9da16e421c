// switchboard_queue_wait_seconds observes each queued call's wait once (docs/queue.md), when it
// is settled: accepted, or ended without an answer. docs/queue.md.

#include "service/queue_wait.hpp"

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

/// `c` promoted to ringing at `at`.
call::Call promoted(call::Call c, std::int64_t at) {
  c.state = CallState::kRinging;
  c.ring_deadline_ms = at + kRing;
  return c;
}

TEST(SettledQueueWait, AWaitIsNotSettledWhileTheCallMayStillGoBackToTheQueue) {
  const call::Call rung = promoted(queued_call(0), 10'000);
  EXPECT_FALSE(settled_queue_wait_s(rung, CallState::kQueued, kRing, 10'000)) << "promoted";
  call::Call back = queued_call(0);  // Declined: back in the queue, its place and deadline kept.
  EXPECT_FALSE(settled_queue_wait_s(back, CallState::kRinging, kRing, 12'000)) << "requeued";
}

TEST(SettledQueueWait, ARequeuedCallIsObservedOnceWithItsWholeWaitWhenAccepted) {
  // Queued at 0, promoted at 10 s, declined, back in the queue, promoted again at 40 s.
  call::Call again = promoted(queued_call(0), 40'000);
  call::Call accepted = again;
  accepted.state = CallState::kAccepted;
  const auto waited = settled_queue_wait_s(accepted, CallState::kRinging, kRing, 43'000);
  ASSERT_TRUE(waited);
  EXPECT_DOUBLE_EQ(*waited, 40.0);
  // Its later moves observe nothing more.
  call::Call active = accepted;
  active.state = CallState::kActive;
  EXPECT_FALSE(settled_queue_wait_s(active, CallState::kAccepted, kRing, 44'000));
  call::Call ended = active;
  ended.state = CallState::kEnded;
  ended.ended_at_ms = 100'000;
  EXPECT_FALSE(settled_queue_wait_s(ended, CallState::kActive, kRing, 100'000));
}

TEST(SettledQueueWait, ACallThatEndsUnansweredIsObservedUntilItRangOrEnded) {
  call::Call timed_out = queued_call(0);
  timed_out.state = CallState::kMissed;
  timed_out.end_reason = "queue_timeout";
  timed_out.ended_at_ms = 300'000;
  EXPECT_DOUBLE_EQ(*settled_queue_wait_s(timed_out, CallState::kQueued, kRing, 300'000), 300.0);

  call::Call rang_out = promoted(queued_call(0), 25'000);
  rang_out.state = CallState::kMissed;
  rang_out.end_reason = "timeout";
  rang_out.ended_at_ms = 25'000 + kRing;
  EXPECT_DOUBLE_EQ(*settled_queue_wait_s(rang_out, CallState::kRinging, kRing, 70'000), 25.0);
}

TEST(SettledQueueWait, ACallThatNeverQueuedIsNotObserved) {
  call::Call at_once;
  at_once.state = CallState::kAccepted;
  at_once.ring_deadline_ms = kRing;
  EXPECT_FALSE(settled_queue_wait_s(at_once, CallState::kRinging, kRing, 1000));
}

}  // namespace
}  // namespace sb::service
