#include "net/loop_lag_probe.hpp"

#include <algorithm>

namespace sb::net {

using Clock = std::chrono::steady_clock;

LoopLagProbe::LoopLagProbe(boost::asio::io_context& ioc, std::chrono::milliseconds period)
    : timer_(ioc), period_(period) {}

void LoopLagProbe::start() {
  running_ = true;
  due_ = Clock::now() + period_;
  arm();
}

void LoopLagProbe::stop() {
  running_ = false;
  timer_.cancel();
}

void LoopLagProbe::arm() {
  timer_.expires_at(due_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !running_) return;
    const auto now = Clock::now();
    last_lag_ms_ = std::chrono::duration<double, std::milli>(now - due_).count();
    due_ = now + period_;
    arm();
  });
}

double LoopLagProbe::lag_ms() const {
  if (!running_) return 0;
  const double overdue = std::chrono::duration<double, std::milli>(Clock::now() - due_).count();
  return std::max(last_lag_ms_, overdue);
}

}  // namespace sb::net
