#include "call/effects.hpp"

#include <array>
#include <utility>

namespace sb::call {
namespace {

constexpr std::array<std::pair<RingOutcome, std::string_view>, 8> kOutcomes{{
    {RingOutcome::kRinging, "ringing"},
    {RingOutcome::kAccepted, "accepted"},
    {RingOutcome::kDeclined, "declined"},
    {RingOutcome::kMissed, "missed"},
    {RingOutcome::kTaken, "taken"},
    {RingOutcome::kCancelled, "cancelled"},
    {RingOutcome::kStopped, "stopped"},
    {RingOutcome::kWithdrawn, "withdrawn"},
}};

constexpr std::array<std::pair<TimerKind, std::string_view>, 6> kTimers{{
    {TimerKind::kRing, "ring"},
    {TimerKind::kRingStep, "ring_step"},
    {TimerKind::kConnect, "connect"},
    {TimerKind::kIceRefresh, "ice_refresh"},
    {TimerKind::kWrapUp, "wrap_up"},
    {TimerKind::kQueue, "queue"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names, Enum e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> parse(const std::array<std::pair<Enum, std::string_view>, N>& names,
                          std::string_view s) {
  for (const auto& [value, name] : names) {
    if (name == s) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(RingOutcome o) {
  return name_of(kOutcomes, o);
}
std::optional<RingOutcome> parse_ring_outcome(std::string_view s) {
  return parse(kOutcomes, s);
}
std::string_view to_string(TimerKind k) {
  return name_of(kTimers, k);
}
std::optional<TimerKind> parse_timer_kind(std::string_view s) {
  return parse(kTimers, s);
}

bool should_reroute(const Effects& effects, const EffectPolicy& policy) {
  const bool longest_idle = policy.routing == RoutingMode::kLongestIdle;
  switch (effects.reroute) {
    case Reroute::kNever:
      return false;
    case Reroute::kRingsEnd:
      // Under ring-all the staff who stop ringing here were rung for every other call already.
      return longest_idle;
    case Reroute::kStaffFreed:
      // A wrap-up's end reroutes by itself (its own timer).
      return longest_idle || !policy.wrap_up;
  }
  return false;
}

bool starts_timer(const Effects& effects, TimerKind kind, const EffectPolicy& policy) {
  if (kind == TimerKind::kWrapUp && !policy.wrap_up) return false;
  return effects.start_timers.contains(kind);
}

}  // namespace sb::call
