// The queue's wait estimate (docs/queue.md): the formula on its own, and against a scripted
// day of calls, where each queued caller's estimate is compared with the wait it then had.

#include "call/queue_estimate.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

namespace sb::call {
namespace {

TEST(QueueEstimate, NoRecentCallsOrNobodyServingIsUnknown) {
  EXPECT_FALSE(estimate_wait_s({1, 3, {}, 0}));
  EXPECT_FALSE(estimate_wait_s({1, 0, {60'000}, 0}));
}

TEST(QueueEstimate, GrowsWithThePositionAndShrinksWithTheStaff) {
  // Calls of 2 minutes and a 30 s wrap-up: each of 5 staff frees up every 150 s.
  const std::vector<std::int64_t> times(10, 120'000);
  EXPECT_EQ(*estimate_wait_s({1, 5, times, 30'000}), 30);
  EXPECT_EQ(*estimate_wait_s({4, 5, times, 30'000}), 120);
  EXPECT_EQ(*estimate_wait_s({4, 10, times, 30'000}), 60);
}

TEST(QueueEstimate, AveragesOnlyTheNewestCalls) {
  std::vector<std::int64_t> times(kEstimateSample, 60'000);
  times.insert(times.end(), 100, 600'000);  // Older, much longer calls no longer count.
  EXPECT_EQ(*estimate_wait_s({1, 1, times, 0}), 60);
}

// A working day: 8 staff, 8 hours, calls arriving at random (a busy hour in the middle), each
// held for a random time around 4 minutes. Staff take the oldest waiting call as soon as they
// are free. Each caller who has to wait is told an estimate from what the server would know
// then (their position, the staff, the last calls' handle times); the test then sees how long
// they really waited.
struct DayResult {
  std::vector<double> estimated;
  std::vector<double> waited;
};

DayResult scripted_day() {
  std::mt19937_64 rng(20261206);
  constexpr int kStaff = 8;
  constexpr double kDay = 8 * 3600.0;
  constexpr double kMeanHandle = 240.0;
  std::exponential_distribution<double> handle(1.0 / kMeanHandle);
  std::vector<double> free_at(kStaff, 0.0);
  std::deque<std::int64_t> recent;  // newest first, ms
  struct Waiting {
    double arrived;
    double estimate;
  };
  std::deque<Waiting> queue;
  DayResult out;
  // Events in time order: arrivals (drawn ahead) and staff freeing up.
  double t = 0;
  std::vector<double> arrivals;
  while (t < kDay) {
    const double hour = t / 3600.0;
    // About 1.7 calls a minute, 2.2 in the busy middle of the day: near the staff's capacity.
    const double per_s = (hour > 3 && hour < 5 ? 2.2 : 1.7) / 60.0;
    t += std::exponential_distribution<double>(per_s)(rng);
    arrivals.push_back(t);
  }
  std::size_t next = 0;
  auto serve = [&](int staff, double now, double arrived) {
    const double held = std::max(20.0, handle(rng));
    free_at[staff] = now + held;
    out.waited.push_back(now - arrived);
    recent.push_front(static_cast<std::int64_t>(held * 1000));
    if (recent.size() > 50) recent.pop_back();
  };
  while (next < arrivals.size() || !queue.empty()) {
    const auto soonest = std::min_element(free_at.begin(), free_at.end());
    const double arrival = next < arrivals.size() ? arrivals[next] : INFINITY;
    if (!queue.empty() && *soonest <= arrival) {
      const Waiting w = queue.front();
      queue.pop_front();
      out.estimated.push_back(w.estimate);
      serve(static_cast<int>(soonest - free_at.begin()), *soonest, w.arrived);
      continue;
    }
    ++next;
    if (queue.empty() && *soonest <= arrival) {
      serve(static_cast<int>(soonest - free_at.begin()), arrival, arrival);
      out.waited.pop_back();  // Rang at once: not a queued call.
      continue;
    }
    const std::vector<std::int64_t> times(recent.begin(), recent.end());
    auto estimate = estimate_wait_s({static_cast<int>(queue.size()) + 1, kStaff, times, 0});
    queue.push_back({arrival, estimate.value_or(0)});
  }
  return out;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

TEST(QueueEstimate, TracksTheWaitsOfAScriptedDay) {
  const DayResult day = scripted_day();
  ASSERT_EQ(day.estimated.size(), day.waited.size());
  ASSERT_GT(day.waited.size(), 200u) << "the day should make callers wait";
  double est_sum = 0, wait_sum = 0;
  std::vector<double> errors;
  for (std::size_t i = 0; i < day.waited.size(); ++i) {
    est_sum += day.estimated[i];
    wait_sum += day.waited[i];
    errors.push_back(std::abs(day.estimated[i] - day.waited[i]));
  }
  const double mean_wait = wait_sum / static_cast<double>(day.waited.size());
  const double mean_estimate = est_sum / static_cast<double>(day.estimated.size());
  // Unbiased over the day: the estimates average out to the waits, within 20 %.
  EXPECT_NEAR(mean_estimate, mean_wait, 0.2 * mean_wait)
      << "mean estimate " << mean_estimate << " s, mean wait " << mean_wait << " s";
  // One caller's estimate is off by less than half the typical wait, half of the time.
  EXPECT_LT(median(errors), 0.5 * mean_wait)
      << "median error " << median(errors) << " s, mean wait " << mean_wait << " s";
  // And it tells long waits from short ones: estimate and wait go up together.
  double cov = 0, var_e = 0, var_w = 0;
  for (std::size_t i = 0; i < day.waited.size(); ++i) {
    const double de = day.estimated[i] - mean_estimate, dw = day.waited[i] - mean_wait;
    cov += de * dw;
    var_e += de * de;
    var_w += dw * dw;
  }
  EXPECT_GT(cov / std::sqrt(var_e * var_w), 0.7);
}

}  // namespace
}  // namespace sb::call
