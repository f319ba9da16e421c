#pragma once
// A clock and a scheduler that tests move by hand, so timers run deterministically and at once.

#include <cstdint>
#include <functional>
#include <map>

#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  std::int64_t now_ms() const override { return now_; }
  void set(std::int64_t ms) { now_ = ms; }

 private:
  std::int64_t now_;
};

/// Timers fire only in advance(), in deadline order, with the clock set to each deadline.
class ManualScheduler final : public Scheduler {
 public:
  explicit ManualScheduler(ManualClock& clock) : clock_(clock) {}

  TimerId schedule_at(std::int64_t at_ms, std::function<void()> fn) override {
    const TimerId id = ++next_id_;
    timers_.emplace(std::make_pair(at_ms, id), std::move(fn));
    return id;
  }

  void cancel(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }

  /// Moves time forward by `ms`, running every timer due on the way.
  void advance(std::int64_t ms) {
    const std::int64_t until = clock_.now_ms() + ms;
    while (!timers_.empty() && timers_.begin()->first.first <= until) {
      auto node = timers_.extract(timers_.begin());
      if (node.key().first > clock_.now_ms()) clock_.set(node.key().first);
      node.mapped()();
    }
    clock_.set(until);
  }

  std::size_t pending() const { return timers_.size(); }

 private:
  ManualClock& clock_;
  TimerId next_id_ = 0;
  std::multimap<std::pair<std::int64_t, TimerId>, std::function<void()>> timers_;
};

}  // namespace sb::testing
