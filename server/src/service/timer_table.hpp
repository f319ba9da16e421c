#pragma once
// The call service's pending timers, one per key at most: setting a key again replaces its
// timer. A key says what the timer is for (its kind) and what it belongs to: a call, one rung
// staff member of a call, or a user of an org.

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "util/scheduler.hpp"

namespace sb::service {

enum class TimerKind {
  kRingTimeout,     // a call: its ring deadline
  kConnectTimeout,  // a call: accepted, media must connect by then
  kIceRefresh,      // a call: fresh TURN credentials for both participants
  kRingStep,        // a call and one staff member: their longest-idle ring step ends
  kPresenceGrace,   // a user: gone longer than the presence grace
  kReconnectGrace,  // a user: gone longer than the reconnect grace
  kWrapUpEnd,       // a staff member: their wrap-up after a call ends
  kQueueTimeout,    // a call: its queue deadline
};

struct TimerKey {
  TimerKind kind = TimerKind::kRingTimeout;
  std::string call_id;  // empty for a user's timers
  std::string org_id;   // a user's timers only (call ids are unique across orgs)
  std::string user_id;  // the staff member of a ring step, or the user of a user's timer

  static TimerKey ring_timeout(const std::string& call_id) {
    return {TimerKind::kRingTimeout, call_id, {}, {}};
  }
  static TimerKey connect_timeout(const std::string& call_id) {
    return {TimerKind::kConnectTimeout, call_id, {}, {}};
  }
  static TimerKey ice_refresh(const std::string& call_id) {
    return {TimerKind::kIceRefresh, call_id, {}, {}};
  }
  static TimerKey ring_step(const std::string& call_id, const std::string& staff_id) {
    return {TimerKind::kRingStep, call_id, {}, staff_id};
  }
  static TimerKey queue_timeout(const std::string& call_id) {
    return {TimerKind::kQueueTimeout, call_id, {}, {}};
  }
  static TimerKey presence_grace(const std::string& org_id, const std::string& user_id) {
    return {TimerKind::kPresenceGrace, {}, org_id, user_id};
  }
  static TimerKey reconnect_grace(const std::string& org_id, const std::string& user_id) {
    return {TimerKind::kReconnectGrace, {}, org_id, user_id};
  }
  static TimerKey wrap_up_end(const std::string& org_id, const std::string& staff_id) {
    return {TimerKind::kWrapUpEnd, {}, org_id, staff_id};
  }

  // Ordered by kind, then call: a call's ring steps sit side by side.
  auto operator<=>(const TimerKey&) const = default;
};

class TimerTable {
 public:
  explicit TimerTable(Scheduler& scheduler) : scheduler_(scheduler) {}
  TimerTable(const TimerTable&) = delete;
  TimerTable& operator=(const TimerTable&) = delete;

  /// Runs `fn` at `at_ms`, replacing the timer pending under `key`, if any.
  void schedule(const TimerKey& key, std::int64_t at_ms, std::function<void()> fn);
  void cancel(const TimerKey& key);
  /// Every timer of the call: its ring, connect and ICE timers and all its ring steps.
  void cancel_call(const std::string& call_id);
  /// All the call's longest-idle ring steps.
  void cancel_ring_steps(const std::string& call_id);
  bool pending(const TimerKey& key) const { return timers_.contains(key); }
  std::size_t size() const { return timers_.size(); }

 private:
  Scheduler& scheduler_;
  std::map<TimerKey, TimerId> timers_;
};

}  // namespace sb::service
