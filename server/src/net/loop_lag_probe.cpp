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
    last_busy_ = busy_time_->now();
    last_measured_ = now;
    return;
  }
  const BusyTime busy = busy_time_->now();
  const double wall_ns = std::chrono::duration<double, std::nano>(now - last_measured_).count();
  if (wall_ns <= 0) return;
  const auto share = [wall_ns](std::int64_t ns) {
    return std::clamp(static_cast<double>(ns) / wall_ns, 0.0, 1.0);
  };
  const std::int64_t ran = busy.running_ns - last_busy_.running_ns;
  const std::int64_t waited = busy.waiting_ns - last_busy_.waiting_ns;
  // Exponential moving averages whose weight follows the time that passed, since ticks come
  // late exactly when the loop is busy.
  const double weight = std::min(1.0, wall_ns / std::chrono::nanoseconds(kBusyWindow).count());
  busy_ratio_ += weight * (share(ran + waited) - busy_ratio_);
  run_ratio_ += weight * (share(ran) - run_ratio_);
  last_busy_ = busy;
  last_measured_ = now;
}

double LoopLagProbe::lag_ms() const {
  if (!running_) return 0;
  const double overdue = std::chrono::duration<double, std::milli>(Clock::now() - due_).count();
  return std::max(last_lag_ms_, overdue);
}

}  // namespace sb::net
