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
    measure_busy(now);
    due_ = now + period_;
    arm();
  });
}

void LoopLagProbe::measure_busy(Clock::time_point now) {
  if (!busy_time_) {
    busy_time_ = std::make_unique<ThreadBusyTime>();
    last_busy_ns_ = busy_time_->busy_ns();
    last_measured_ = now;
    return;
  }
  const std::int64_t busy_ns = busy_time_->busy_ns();
  const double wall_ns = std::chrono::duration<double, std::nano>(now - last_measured_).count();
  if (wall_ns <= 0) return;
  const double busy = std::clamp(static_cast<double>(busy_ns - last_busy_ns_) / wall_ns, 0.0, 1.0);
  // An exponential moving average whose weight follows the time that passed, since ticks come
  // late exactly when the loop is busy.
  const double weight = std::min(1.0, wall_ns / std::chrono::nanoseconds(kBusyWindow).count());
  busy_ratio_ += weight * (busy - busy_ratio_);
  last_busy_ns_ = busy_ns;
  last_measured_ = now;
}

double LoopLagProbe::lag_ms() const {
  if (!running_) return 0;
  const double overdue = std::chrono::duration<double, std::milli>(Clock::now() - due_).count();
  return std::max(last_lag_ms_, overdue);
}

}  // namespace sb::net
