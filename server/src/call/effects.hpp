#pragma once
// What a transition causes besides the new state: spec/call-fsm.json "effects". The store
// applies the data effects in the transaction that moves the call; the service carries out the
// rest. Neither decides: the spec's table does, and should_reroute()/starts_timer() below add
// the two settings that change an effect's meaning.

#include <cstdint>
#include <optional>
#include <string_view>

#include "call/routing.hpp"

namespace sb::call {

/// How one rung staff member's ring ended. `kWithdrawn`: they went offline (no connection for
/// longer than the presence grace) while it rang; it is not a missed ring.
enum class RingOutcome {
  kRinging,
  kAccepted,
  kDeclined,
  kMissed,
  kTaken,
  kCancelled,
  kStopped,
  kWithdrawn
};
std::string_view to_string(RingOutcome o);
std::optional<RingOutcome> parse_ring_outcome(std::string_view s);

/// The timers a call can have pending (spec "stop_timers"/"start_timers").
enum class TimerKind : std::uint8_t { kRing, kRingStep, kConnect, kIceRefresh, kWrapUp, kQueue };
std::string_view to_string(TimerKind k);
std::optional<TimerKind> parse_timer_kind(std::string_view s);

class TimerSet {
 public:
  void add(TimerKind k) { bits_ = static_cast<std::uint8_t>(bits_ | bit(k)); }
  bool contains(TimerKind k) const { return (bits_ & bit(k)) != 0; }
  bool empty() const { return bits_ == 0; }
  friend bool operator==(TimerSet, TimerSet) = default;

 private:
  static constexpr std::uint8_t bit(TimerKind k) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(k));
  }
  std::uint8_t bits_ = 0;
};

/// When a move sends the service looking for staff for the org's other ringing calls.
enum class Reroute {
  kNever,
  /// Staff stopped ringing for this call: under longest-idle they may be rung for another.
  kRingsEnd,
  /// The staff member who had the call is free again (after their wrap-up, if any).
  kStaffFreed,
};

struct Effects {
  /// Store: the outcome of every staff member still ringing for the call. kMissed also counts
  /// one more missed ring in a row (auto-away at the limit).
  std::optional<RingOutcome> ringing_staff;
  /// Store: the accepting staff member's ring becomes accepted, their rings for other calls
  /// stop, their missed rings in a row go back to 0.
  bool accepting_staff = false;
  /// Store: the staff member who had the call starts their wrap-up.
  bool staff_wrap_up = false;
  TimerSet start_timers;
  TimerSet stop_timers;
  /// Service: fresh ice_servers to both participants, then every half TURN lifetime.
  bool push_ice_servers = false;
  /// Store: the staff the service chose start ringing for the call, in the same transaction
  /// (a queued call promoted to ringing).
  bool ring_chosen_staff = false;
  Reroute reroute = Reroute::kNever;

  friend bool operator==(const Effects&, const Effects&) = default;
};

/// The settings that change what an effect means.
struct EffectPolicy {
  RoutingMode routing = RoutingMode::kRingAll;
  /// True when staff get a wrap-up after each call (--wrap-up above 0).
  bool wrap_up = false;
};

/// Whether, after the move, the service looks again for staff for the org's ringing calls.
bool should_reroute(const Effects& effects, const EffectPolicy& policy);
/// Whether the move sets a timer of kind `kind` (a wrap-up timer only when there is wrap-up).
bool starts_timer(const Effects& effects, TimerKind kind, const EffectPolicy& policy);

}  // namespace sb::call
