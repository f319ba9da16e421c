#include "net/asio_scheduler.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "unit/net/run_until.hpp"

namespace sb::net {
namespace {

using testing::run_until;
using testing::run_until_idle;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(AsioScheduler, FiresInDeadlineOrder) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  std::vector<int> fired;
  const auto now = now_ms();
  scheduler.schedule_at(now + 60, [&] { fired.push_back(3); });
  scheduler.schedule_at(now + 20, [&] { fired.push_back(1); });
  scheduler.schedule_at(now + 40, [&] { fired.push_back(2); });
  EXPECT_EQ(scheduler.pending(), 3u);
  ASSERT_TRUE(run_until(ioc, [&] { return fired.size() == 3; }));
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
  EXPECT_GE(now_ms(), now + 60);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(AsioScheduler, CancelledTimerNeverRuns) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  bool cancelled_ran = false;
  bool other_ran = false;
  const auto now = now_ms();
  const TimerId id = scheduler.schedule_at(now + 20, [&] { cancelled_ran = true; });
  scheduler.schedule_at(now + 40, [&] { other_ran = true; });
  scheduler.cancel(id);
  scheduler.cancel(id);       // Twice is harmless.
  scheduler.cancel(id + 99);  // So is an unknown id.
  ASSERT_TRUE(run_until(ioc, [&] { return other_ran; }));
  EXPECT_TRUE(run_until_idle(ioc));
  EXPECT_FALSE(cancelled_ran);
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(AsioScheduler, TimerCanBeCancelledByAnEarlierOne) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  bool second_ran = false;
  const auto past = now_ms() - 1000;
  TimerId second = 0;
  scheduler.schedule_at(past, [&] { scheduler.cancel(second); });
  second = scheduler.schedule_at(past, [&] { second_ran = true; });
  EXPECT_TRUE(run_until_idle(ioc));
  EXPECT_FALSE(second_ran);
}

TEST(AsioScheduler, PastDeadlineRunsPostedNeverInline) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  std::vector<int> fired;
  const auto past = now_ms() - 5000;
  scheduler.schedule_at(past, [&] { fired.push_back(1); });
  scheduler.schedule_at(past - 1000, [&] { fired.push_back(2); });
  scheduler.schedule_at(past, [&] { fired.push_back(3); });
  EXPECT_TRUE(fired.empty());
  ASSERT_TRUE(run_until(ioc, [&] { return fired.size() == 3; }));
  // Already due: they run in the order they were scheduled.
  EXPECT_EQ(fired, (std::vector<int>{1, 2, 3}));
}

TEST(AsioScheduler, TimerScheduledFromACallbackRuns) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  int runs = 0;
  scheduler.schedule_at(now_ms() + 10, [&] {
    ++runs;
    scheduler.schedule_at(now_ms() + 10, [&] { ++runs; });
  });
  ASSERT_TRUE(run_until(ioc, [&] { return runs == 2; }));
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(AsioScheduler, FiredAndCancelledTimersReleaseTheirFunction) {
  boost::asio::io_context ioc;
  AsioScheduler scheduler(ioc);
  auto fired_token = std::make_shared<int>(1);
  auto cancelled_token = std::make_shared<int>(2);
  std::weak_ptr<int> fired_weak = fired_token;
  std::weak_ptr<int> cancelled_weak = cancelled_token;
  bool ran = false;
  scheduler.schedule_at(now_ms() + 10, [&ran, t = std::move(fired_token)] { ran = *t == 1; });
  const TimerId id = scheduler.schedule_at(now_ms() + 60000, [t = std::move(cancelled_token)] {});
  EXPECT_FALSE(fired_weak.expired());
  scheduler.cancel(id);
  EXPECT_TRUE(cancelled_weak.expired());
  ASSERT_TRUE(run_until(ioc, [&] { return ran; }));
  EXPECT_TRUE(fired_weak.expired());
  EXPECT_EQ(scheduler.pending(), 0u);
}

TEST(AsioScheduler, DestroyedSchedulerRunsNothing) {
  boost::asio::io_context ioc;
  bool ran = false;
  {
    AsioScheduler scheduler(ioc);
    scheduler.schedule_at(now_ms() + 10, [&] { ran = true; });
    scheduler.schedule_at(now_ms() - 10, [&] { ran = true; });
  }
  EXPECT_TRUE(run_until_idle(ioc));
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace sb::net
