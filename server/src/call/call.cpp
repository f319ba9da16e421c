#include "call/call.hpp"

#include <array>
#include <utility>

namespace sb::call {
namespace {

template <typename E, std::size_t N>
std::optional<E> parse_from(const std::array<std::pair<E, std::string_view>, N>& names,
                            std::string_view s) {
  for (const auto& [value, name] : names) {
    if (name == s) return value;
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E e) {
  for (const auto& [value, name] : names) {
    if (value == e) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<CallState, std::string_view>, 9> kCallStates{{
    {CallState::kRinging, "ringing"},
    {CallState::kAccepted, "accepted"},
    {CallState::kActive, "active"},
    {CallState::kCancelled, "cancelled"},
    {CallState::kMissed, "missed"},
    {CallState::kDeclined, "declined"},
    {CallState::kFailed, "failed"},
    {CallState::kEnded, "ended"},
    {CallState::kQueued, "queued"},
}};

constexpr std::array<std::pair<StaffStatus, std::string_view>, 3> kStaffStatuses{{
    {StaffStatus::kAvailable, "available"},
    {StaffStatus::kAway, "away"},
    {StaffStatus::kOffline, "offline"},
}};

constexpr std::array<std::pair<StaffState, std::string_view>, 4> kStaffStates{{
    {StaffState::kIdle, "idle"},
    {StaffState::kRinging, "ringing"},
    {StaffState::kInCall, "in_call"},
    {StaffState::kWrapUp, "wrap_up"},
}};

}  // namespace

std::string_view to_string(CallState s) {
  return name_of(kCallStates, s);
}
std::optional<CallState> parse_call_state(std::string_view s) {
  return parse_from(kCallStates, s);
}

bool is_terminal(CallState s) {
  return s != CallState::kRinging && s != CallState::kAccepted && s != CallState::kActive &&
         s != CallState::kQueued;
}

std::string_view to_string(StaffStatus s) {
  return name_of(kStaffStatuses, s);
}
std::optional<StaffStatus> parse_staff_status(std::string_view s) {
  return parse_from(kStaffStatuses, s);
}
std::string_view to_string(StaffState s) {
  return name_of(kStaffStates, s);
}
std::optional<StaffState> parse_staff_state(std::string_view s) {
  return parse_from(kStaffStates, s);
}

}  // namespace sb::call
