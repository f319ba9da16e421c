// The io thread's load as admission control reads it: a loop kept busy reads as busy and
// running, and as idle again once the work stops; a handler that holds the loop shows as lag
// while it runs. The tests run beside others on a crowded machine, so they ask for wide margins:
// a thread that spins may get half a core, and an idle one waits a while each time it wakes.

#include "net/loop_lag_probe.hpp"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>

#include "run_until.hpp"

namespace sb::net {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

void spin_for(Clock::duration d) {
  const auto until = Clock::now() + d;
  while (Clock::now() < until) {
  }
}

TEST(LoopLagProbe, AFullLoopReadsAsBusyAndAnIdleOneAsIdleAgain) {
  boost::asio::io_context ioc;
  LoopLagProbe probe(ioc, 5ms);
  probe.start();
  EXPECT_EQ(probe.busy_ratio(), 0.0);

  // A second of handlers that each compute for 10 ms, back to back: the loop is never idle.
  const auto busy_until = Clock::now() + 1s;
  std::function<void()> work = [&] {
    spin_for(10ms);
    if (Clock::now() < busy_until) boost::asio::post(ioc, work);
  };
  boost::asio::post(ioc, work);
  ASSERT_TRUE(testing::run_until(ioc, [&] { return Clock::now() >= busy_until; }));
  const double busy = probe.busy_ratio();
  const double ran = probe.run_ratio();
  EXPECT_GT(busy, 0.8) << "four window lengths of back-to-back work";
  EXPECT_GT(ran, 0.1);

  // Idle for six window lengths: only the probe's own ticks run.
  const auto idle_until = Clock::now() + 6 * LoopLagProbe::kBusyWindow;
  ASSERT_TRUE(testing::run_until(ioc, [&] { return Clock::now() >= idle_until; }));
  EXPECT_LT(probe.run_ratio(), 0.05) << "was " << ran << " while busy";
  EXPECT_FALSE(probe.full());

  probe.stop();
  EXPECT_EQ(probe.busy_ratio(), 0.0);
  EXPECT_EQ(probe.run_ratio(), 0.0);
}

TEST(LoopLagProbe, AHandlerHoldingTheLoopShowsAsLagWhileItRuns) {
  boost::asio::io_context ioc;
  LoopLagProbe probe(ioc, 5ms);
  probe.start();
  double seen = 0;
  boost::asio::post(ioc, [&] {
    spin_for(60ms);
    seen = probe.lag_ms();  // The next tick is overdue by now.
  });
  ASSERT_TRUE(testing::run_until(ioc, [&] { return seen > 0; }));
  EXPECT_GT(seen, 40);
  probe.stop();
}

}  // namespace
}  // namespace sb::net
