#pragma once
// Whether writes can succeed, for readiness (docs/api.md#failures): not while a write failed in the
// last few seconds and none has succeeded since. A full disk or a read-only database fails
// writes while reads (and a ping) still work. The decay lets a node that gets no traffic (a load
// balancer took it out) report ready again and be tried, rather than stay out for good.
// Used from the server's io thread.

#include <chrono>
#include <optional>

namespace sb::storage {

class WriteHealth {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kDefaultDecay{5000};

  explicit WriteHealth(std::chrono::milliseconds decay = kDefaultDecay) : decay_(decay) {}

  void succeeded() { failed_at_.reset(); }
  void failed(Clock::time_point now = Clock::now()) { failed_at_ = now; }
  bool healthy(Clock::time_point now = Clock::now()) const {
    return !failed_at_ || now - *failed_at_ >= decay_;
  }

 private:
  std::chrono::milliseconds decay_;
  /// The last failure that no success has followed.
  std::optional<Clock::time_point> failed_at_;
};

}  // namespace sb::storage
