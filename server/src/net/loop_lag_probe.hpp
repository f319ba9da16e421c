#pragma once
// How late the io thread is running. A timer is due every `period`; how late it fires is the
// time a request queued behind the work in hand waits. lag_ms() also counts a tick that is
// overdue right now, so a burst is seen while it is being worked through, not after it.
// Admission control (docs/decisions/0004) refuses new calls while this is over the limit.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>

namespace sb::net {

class LoopLagProbe {
 public:
  LoopLagProbe(boost::asio::io_context& ioc, std::chrono::milliseconds period);
  void start();
  void stop();
  /// Milliseconds the loop is behind: the larger of the last tick's lateness and how overdue
  /// the next tick is now.
  double lag_ms() const;

 private:
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point due_{};
  double last_lag_ms_ = 0;
  bool running_ = false;
};

}  // namespace sb::net
