#pragma once
// How loaded the io thread is. A timer is due every `period`; how late it fires is the time a
// request queued behind the work in hand waits. lag_ms() also counts a tick that is overdue right
// now, so a burst is seen while it is being worked through, not after it.
//
// Lag alone misses a loop that is full but keeps its turns short: work then waits in the
// sockets' buffers, where no timer sees it, and every round trip of every call slows down. So
// each tick also reads how much of the time since the last one the io thread was busy (running,
// or waiting for its core: util/thread_busy_time.hpp); busy_ratio() is that share, smoothed over
// about a quarter of a second. Near 1, the loop has no idle moment left and falls behind.
// Admission control (docs/decisions/0004) refuses new calls while either is over its limit.

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
  /// The share of the last quarter second or so the io thread was busy, from 0 to 1.
  double busy_ratio() const { return running_ ? busy_ratio_ : 0; }

  /// The time constant of busy_ratio()'s smoothing.
  static constexpr std::chrono::milliseconds kBusyWindow{250};

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
  std::int64_t last_busy_ns_ = 0;
  std::chrono::steady_clock::time_point last_measured_{};
  double busy_ratio_ = 0;
};

}  // namespace sb::net
