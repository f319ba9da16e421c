// The call service's timers by typed key: one per key, replaced when set again, and a call's
// timers cancelled together without touching any other call's or user's.

#include "service/timer_table.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fakes/manual_time.hpp"

namespace sb::service {
namespace {

class TimerTableTest : public ::testing::Test {
 protected:
  /// Sets `key` to fire in `in_ms`, noting `name` in fired_ when it does.
  void set(const TimerKey& key, std::int64_t in_ms, const std::string& name) {
    table_.schedule(key, clock_.now_ms() + in_ms, [this, name] { fired_.push_back(name); });
  }

  testing::ManualClock clock_;
  testing::ManualScheduler scheduler_{clock_};
  TimerTable table_{scheduler_};
  std::vector<std::string> fired_;
};

TEST_F(TimerTableTest, AFiredTimerIsNoLongerPending) {
  set(TimerKey::ring_timeout("c1"), 100, "ring");
  EXPECT_TRUE(table_.pending(TimerKey::ring_timeout("c1")));
  scheduler_.advance(100);
  EXPECT_EQ(fired_, std::vector<std::string>{"ring"});
  EXPECT_FALSE(table_.pending(TimerKey::ring_timeout("c1")));
  EXPECT_EQ(table_.size(), 0u);
}

TEST_F(TimerTableTest, SettingAKeyAgainReplacesItsTimer) {
  set(TimerKey::presence_grace("org1", "ana"), 100, "first");
  set(TimerKey::presence_grace("org1", "ana"), 200, "second");
  EXPECT_EQ(scheduler_.pending(), 1u);
  scheduler_.advance(300);
  EXPECT_EQ(fired_, std::vector<std::string>{"second"});
}

TEST_F(TimerTableTest, KeysOfDifferentKindsOrOwnersAreDifferentTimers) {
  // The same ids in every field: only the kind tells these apart.
  set(TimerKey::presence_grace("org1", "ana"), 100, "presence");
  set(TimerKey::reconnect_grace("org1", "ana"), 100, "reconnect");
  set(TimerKey::wrap_up_end("org1", "ana"), 100, "wrap-up");
  set(TimerKey::presence_grace("org2", "ana"), 100, "other org");
  set(TimerKey::ring_step("c1", "ana"), 100, "step ana");
  set(TimerKey::ring_step("c1", "bo"), 100, "step bo");
  EXPECT_EQ(table_.size(), 6u);
  table_.cancel(TimerKey::reconnect_grace("org1", "ana"));
  table_.cancel(TimerKey::ring_step("c1", "bo"));
  scheduler_.advance(100);
  EXPECT_EQ(fired_, (std::vector<std::string>{"presence", "wrap-up", "other org", "step ana"}));
}

TEST_F(TimerTableTest, CancellingACallCancelsAllItsTimersAndNoOneElses) {
  set(TimerKey::ring_timeout("c1"), 100, "c1 ring");
  set(TimerKey::connect_timeout("c1"), 100, "c1 connect");
  set(TimerKey::ice_refresh("c1"), 100, "c1 ice");
  set(TimerKey::ring_step("c1", "ana"), 100, "c1 step ana");
  set(TimerKey::ring_step("c1", "bo"), 100, "c1 step bo");
  // Ids that share a prefix with c1, and a user whose id is the call's.
  set(TimerKey::ring_timeout("c10"), 100, "c10 ring");
  set(TimerKey::ring_step("c10", "ana"), 100, "c10 step ana");
  set(TimerKey::ring_step("c", "ana"), 100, "c step ana");
  set(TimerKey::wrap_up_end("org1", "c1"), 100, "wrap-up c1");
  table_.cancel_call("c1");
  EXPECT_EQ(table_.size(), 4u);
  EXPECT_EQ(scheduler_.pending(), 4u);
  scheduler_.advance(100);
  EXPECT_EQ(fired_,
            (std::vector<std::string>{"c10 ring", "c10 step ana", "c step ana", "wrap-up c1"}));
}

TEST_F(TimerTableTest, CancellingAnUnknownKeyOrCallDoesNothing) {
  set(TimerKey::ring_timeout("c1"), 100, "ring");
  table_.cancel(TimerKey::ring_timeout("c2"));
  table_.cancel_call("c2");
  scheduler_.advance(100);
  EXPECT_EQ(fired_, std::vector<std::string>{"ring"});
}

}  // namespace
}  // namespace sb::service
