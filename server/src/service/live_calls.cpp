#include "service/live_calls.hpp"

#include "service/call_access.hpp"
#include "service/rules.hpp"

namespace sb::service {

Result<std::string> LiveCalls::signal_peer(const Principal& user, const std::string& call_id) {
  const std::int64_t now = ctx_.clock.now_ms();
  auto known = calls_.find(call_id);
  const bool usable = known != calls_.end() && known->second.org_id == user.org_id;
  const bool fresh =
      usable && (ctx_.timings.single_node || now - known->second.checked_at_ms < kRecheckMs);
  // The other participant of a remembered call, if `user` is one of the two.
  const auto peer_in = [&](const LiveCall& live) -> std::optional<std::string> {
    if (live.caller_id == user.user_id) return live.staff_id;
    if (live.staff_id == user.user_id) return live.caller_id;
    return std::nullopt;
  };
  if (fresh) {
    if (auto peer = peer_in(known->second)) return *peer;
    return call::make_error(call::ErrorCode::kForbidden);
  }
  auto c = access_.participant_call(user, call_id);
  if (!c) {
    // docs/api.md#failures: a relay stores nothing, so signals of a call we know keep flowing while
    // the database is away.
    if (usable && c.error().code == call::ErrorCode::kUnavailable) {
      if (auto peer = peer_in(known->second)) return *peer;
    }
    return c.error();
  }
  if (c->state != call::CallState::kAccepted && c->state != call::CallState::kActive) {
    calls_.erase(call_id);
    return invalid_transition(*c);
  }
  remember(*c);
  return c->caller.id == user.user_id ? c->staff->id : c->caller.id;
}

void LiveCalls::remember(const Call& c) {
  if (!c.staff) return;
  calls_[c.id] = LiveCall{c.org_id, c.caller.id, c.staff->id, ctx_.clock.now_ms()};
}

void LiveCalls::forget_stale(std::int64_t now_ms) {
  if (ctx_.timings.single_node) return;  // Every end passes through Transitions::apply here.
  std::erase_if(calls_, [&](const auto& entry) {
    return now_ms - entry.second.checked_at_ms > 60 * kRecheckMs;
  });
}

}  // namespace sb::service
