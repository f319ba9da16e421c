#include "call/call_machine.hpp"

#include <array>
#include <utility>

namespace sb::call {
namespace {

struct EventInfo {
  CallEvent event;
  std::string_view name;
  Actor actor;
};

constexpr std::array<EventInfo, 10> kEvents{{
    {CallEvent::kAccept, "accept", Actor::kRungStaff},
    {CallEvent::kCancel, "cancel", Actor::kCaller},
    {CallEvent::kCallerLeft, "caller_left", Actor::kSystem},
    {CallEvent::kRingTimeout, "ring_timeout", Actor::kSystem},
    {CallEvent::kAllDeclined, "all_declined", Actor::kSystem},
    {CallEvent::kConnected, "connected", Actor::kParticipant},
    {CallEvent::kMediaFailed, "media_failed", Actor::kParticipant},
    {CallEvent::kConnectTimeout, "connect_timeout", Actor::kSystem},
    {CallEvent::kHangup, "hangup", Actor::kParticipant},
    {CallEvent::kParticipantLost, "participant_lost", Actor::kSystem},
}};

// Kept in the order of spec/call-fsm.json "transitions" (minus "create", which has no from-state).
constexpr std::array<Transition, 12> kTransitions{{
    {CallState::kRinging, CallState::kAccepted, std::nullopt},
    {CallState::kRinging, CallState::kCancelled, "caller_cancelled"},
    {CallState::kRinging, CallState::kCancelled, "caller_left"},
    {CallState::kRinging, CallState::kMissed, "timeout"},
    {CallState::kRinging, CallState::kDeclined, "all_declined"},
    {CallState::kAccepted, CallState::kActive, std::nullopt},
    {CallState::kAccepted, CallState::kFailed, "ice_failed"},
    {CallState::kAccepted, CallState::kFailed, "connect_timeout"},
    {CallState::kAccepted, CallState::kEnded, "hangup"},
    {CallState::kActive, CallState::kEnded, "hangup"},
    {CallState::kAccepted, CallState::kEnded, "participant_lost"},
    {CallState::kActive, CallState::kEnded, "participant_lost"},
}};

// Which entry of kTransitions each event can use, per from-state.
struct Rule {
  CallState from;
  CallEvent event;
  std::size_t transition;
};

constexpr std::array<Rule, 12> kRules{{
    {CallState::kRinging, CallEvent::kAccept, 0},
    {CallState::kRinging, CallEvent::kCancel, 1},
    {CallState::kRinging, CallEvent::kCallerLeft, 2},
    {CallState::kRinging, CallEvent::kRingTimeout, 3},
    {CallState::kRinging, CallEvent::kAllDeclined, 4},
    {CallState::kAccepted, CallEvent::kConnected, 5},
    {CallState::kAccepted, CallEvent::kMediaFailed, 6},
    {CallState::kAccepted, CallEvent::kConnectTimeout, 7},
    {CallState::kAccepted, CallEvent::kHangup, 8},
    {CallState::kActive, CallEvent::kHangup, 9},
    {CallState::kAccepted, CallEvent::kParticipantLost, 10},
    {CallState::kActive, CallEvent::kParticipantLost, 11},
}};

}  // namespace

std::string_view to_string(CallEvent e) {
  for (const auto& info : kEvents) {
    if (info.event == e) return info.name;
  }
  return "unknown";
}

std::optional<CallEvent> parse_call_event(std::string_view s) {
  for (const auto& info : kEvents) {
    if (info.name == s) return info.event;
  }
  return std::nullopt;
}

Actor actor_of(CallEvent e) {
  for (const auto& info : kEvents) {
    if (info.event == e) return info.actor;
  }
  return Actor::kSystem;
}

std::optional<Transition> next_transition(CallState from, CallEvent event) {
  for (const auto& rule : kRules) {
    if (rule.from == from && rule.event == event) return kTransitions[rule.transition];
  }
  return std::nullopt;
}

}  // namespace sb::call
