#pragma once
// sb::Scheduler on an Asio io_context: one system_timer per scheduled call.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "util/scheduler.hpp"

namespace boost::asio {
class io_context;
}

namespace sb::net {

class AsioScheduler final : public Scheduler {
 public:
  /// Timers run on `ioc`'s thread; `schedule_at` and `cancel` must be called there too.
  explicit AsioScheduler(boost::asio::io_context& ioc);
  /// Cancels every pending timer; none of them runs afterwards.
  ~AsioScheduler() override;
  AsioScheduler(const AsioScheduler&) = delete;
  AsioScheduler& operator=(const AsioScheduler&) = delete;

  TimerId schedule_at(std::int64_t at_ms, std::function<void()> fn) override;
  void cancel(TimerId id) override;

  /// Timers scheduled and neither fired nor cancelled.
  std::size_t pending() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sb::net
