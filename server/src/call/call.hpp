#pragma once
// The call as the domain sees it (docs/api.md#the-call). Plain data, no I/O.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sb::call {

enum class CallState {
  kRinging,
  kAccepted,
  kActive,
  kCancelled,
  kMissed,
  kDeclined,
  kFailed,
  kEnded,
  /// v1.1 (docs/queue.md): created while every eligible staff member was busy; waits its turn.
  kQueued
};

std::string_view to_string(CallState s);
std::optional<CallState> parse_call_state(std::string_view s);
bool is_terminal(CallState s);

/// A person as shown on a call: id and display name.
struct Person {
  std::string id;
  std::string name;
};

/// A queued call's place in its org's queue (docs/queue.md), worked out when it is shown.
struct QueueSpot {
  int position = 1;  // 1-based
  std::optional<double> estimated_wait_s;
};

struct Media {
  bool audio = true;
  bool video = true;
};

/// Wall-clock times are milliseconds since the Unix epoch.
struct Call {
  std::string id;
  std::string org_id;
  CallState state = CallState::kRinging;
  std::int64_t version = 1;
  Person caller;
  std::optional<Person> staff;
  Media media;
  std::map<std::string, std::string> metadata;
  std::int64_t created_at_ms = 0;
  std::int64_t ring_deadline_ms = 0;
  std::optional<std::int64_t> accepted_at_ms;
  std::optional<std::int64_t> active_at_ms;
  std::optional<std::int64_t> ended_at_ms;
  std::optional<std::string> end_reason;
  /// When the client asked for one staff member (`staff_id` on create).
  std::optional<std::string> requested_staff_id;
  /// v1.1: the topic asked for on create (docs/queue.md#topics); only staff with that skill serve
  /// it.
  std::optional<std::string> topic = {};
  /// v1.1: when the call entered the queue, and when it leaves it missed (docs/queue.md).
  std::optional<std::int64_t> queued_at_ms = {};
  std::optional<std::int64_t> queue_deadline_ms = {};
  /// v1.1: the call this one was transferred from, or to (docs/queue.md#transfer).
  std::optional<std::string> transferred_from = {};
  std::optional<std::string> transferred_to = {};
  /// v1.1: the ICE server profile drawn when the call was accepted
  /// (docs/config.md#ice-server-profiles).
  std::optional<std::string> ice_profile = {};
  /// While queued and shown: where it stands. Not stored.
  std::optional<QueueSpot> queue = {};
  /// On a transfer's announcements of the new call: the staff member it was passed to, so the
  /// caller's page can say "Transferring you to Ben…" (docs/queue.md#transfer). Not stored.
  std::optional<Person> transfer_target = {};
};

/// The staff member's own choice (docs/openapi.yaml, `status`).
enum class StaffStatus { kAvailable, kAway, kOffline };
/// The system's view of a staff member (docs/openapi.yaml, `state`).
enum class StaffState { kIdle, kRinging, kInCall, kWrapUp };

std::string_view to_string(StaffStatus s);
std::optional<StaffStatus> parse_staff_status(std::string_view s);
std::string_view to_string(StaffState s);
std::optional<StaffState> parse_staff_state(std::string_view s);

}  // namespace sb::call
