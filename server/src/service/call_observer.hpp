#pragma once
// What the call service reports as it works, for metrics (obs/) and tests. Default: nothing.

#include <string_view>

#include "call/call.hpp"

namespace sb::service {

class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void on_created(const call::Call&) {}
  /// Every transition, after it is durable.
  virtual void on_transition(const call::Call& /*before_state_call*/, call::CallState /*from*/) {}
  virtual void on_accept_conflict() {}
  /// How late a ring timeout fired after the deadline, in seconds.
  virtual void on_ring_timeout_lateness(double /*seconds*/) {}
};

}  // namespace sb::service
