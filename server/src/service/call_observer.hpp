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
  /// Media connected ("connected") or not ("failed"), with the selected candidate type and the
  /// call's ICE profile ("unknown" for a call accepted before profiles were recorded).
  virtual void on_ice_result(std::string_view /*result*/, std::string_view /*candidate_type*/,
                             std::string_view /*profile*/) {}
  virtual void on_quality_sample() {}
  virtual void on_event(std::string_view /*type*/) {}
  /// How late a ring timeout fired after the deadline, in seconds.
  virtual void on_ring_timeout_lateness(double /*seconds*/) {}
  /// A call left the queue (docs/queue.md): how long it waited, in seconds.
  virtual void on_queue_wait(double /*seconds*/) {}
};

}  // namespace sb::service
