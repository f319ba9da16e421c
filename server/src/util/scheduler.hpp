#pragma once
// Timers as an interface, so the domain and services never touch Asio and tests can drive time.

#include <cstdint>
#include <functional>

#include "util/clock.hpp"

namespace sb {

using TimerId = std::uint64_t;

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  /// Runs `fn` on the io thread at wall-clock time `at_ms` (ms since the Unix epoch), or at once
  /// (posted, never inline) when it has passed.
  virtual TimerId schedule_at(std::int64_t at_ms, std::function<void()> fn) = 0;
  /// Cancels a timer that has not fired; unknown or fired ids are ignored.
  virtual void cancel(TimerId id) = 0;
};

}  // namespace sb
