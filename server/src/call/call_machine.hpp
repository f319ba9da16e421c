#pragma once
// The call state machine (docs/api.md#the-call), loaded from spec/call-fsm.json (embedded at
// build time). Pure: the service asks it whether an event may move a call, to what, and with
// which effects; storage then makes the move and its data effects atomically.

#include <optional>
#include <string_view>

#include "call/call.hpp"
#include "call/effects.hpp"

namespace sb::call {

enum class CallEvent {
  kAccept,
  kCancel,
  kCallerLeft,
  kRingTimeout,
  kAllDeclined,
  kConnected,
  kMediaFailed,
  kConnectTimeout,
  kHangup,
  kParticipantLost,
  kPromote,
  kQueueTimeout,
  kRequeue,
  kTransfer,
};

/// Who may trigger an event (spec "actors").
enum class Actor { kCaller, kRungStaff, kParticipant, kSystem };

std::string_view to_string(CallEvent e);
std::optional<CallEvent> parse_call_event(std::string_view s);
Actor actor_of(CallEvent e);

struct Transition {
  CallState from;
  CallState to;
  /// Set for moves into a terminal state: "timeout", "hangup", ...
  std::optional<std::string_view> end_reason;
  Effects effects;
};

/// The transition `event` causes from `from`, or nullopt when the spec forbids it.
std::optional<Transition> next_transition(CallState from, CallEvent event);

}  // namespace sb::call
