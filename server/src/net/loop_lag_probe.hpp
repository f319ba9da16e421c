#pragma once
// How loaded the io thread is. A timer is due every `period`; how late it fires is the time a
// request queued behind the work in hand waits. lag_ms() also counts a tick that is overdue right
// now, so a burst is seen while it is being worked through, not after it.
//
// Lag alone misses a loop that is full but keeps its turns short: work then waits in the
// sockets' buffers, where no timer sees it, and every round trip of every call slows down. So
// each tick also reads how much of the time since the last one the io thread was running, and
// how much it was ready but waiting for its core (util/thread_busy_time.hpp), both smoothed over
// about a quarter of a second. full() is a loop with no idle moment left that does the work
// itself: busy (running or waiting) nearly all the time, and running much of it. The second half
// keeps an idle loop on a crowded machine, which waits a while each time a tick wakes it, from
// looking full. Admission control (docs/decisions/0004) refuses new calls while the loop is full
// or its lag is over the limit.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>

#include "util/thread_busy_time.hpp"

namespace sb::net {

class LoopLagProbe {
 public:
  LoopLagProbe(boost::asio::io_context& ioc, std::chrono::milliseconds period);
  void start();
  void stop();
  /// Milliseconds the loop is behind: the larger of the last tick's lateness and how overdue
  /// the next tick is now.
  double lag_ms() const;
  /// The share of the last quarter second or so the io thread was running or waiting for a CPU,
  /// from 0 to 1.
  double busy_ratio() const { return running_ ? busy_ratio_ : 0; }
  /// The share of it the io thread was running.
  double run_ratio() const { return running_ ? run_ratio_ : 0; }
  /// Busy at least 90 % of the time, and running at least half of it.
  bool full() const { return busy_ratio() >= kFullBusyRatio && run_ratio() >= kFullRunRatio; }

  /// The time constant of the ratios' smoothing.
  static constexpr std::chrono::milliseconds kBusyWindow{250};
  // bench/README.md, "continuous overload": from 0.9 busy, calls already admitted waited.
  static constexpr double kFullBusyRatio = 0.9;
  static constexpr double kFullRunRatio = 0.5;

 private:
  void arm();
  void measure_busy(std::chrono::steady_clock::time_point now);

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point due_{};
  double last_lag_ms_ = 0;
  bool running_ = false;
  // Made on the first tick, so that it measures the thread that runs the loop.
  std::unique_ptr<ThreadBusyTime> busy_time_;
  BusyTime last_busy_{};
  std::chrono::steady_clock::time_point last_measured_{};
  double busy_ratio_ = 0;
  double run_ratio_ = 0;
};

}  // namespace sb::net
