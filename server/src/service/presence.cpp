#include "service/presence.hpp"

#include "obs/log.hpp"
#include "service/announcer.hpp"
#include "service/call_timers.hpp"
#include "service/router.hpp"
#include "service/rules.hpp"
#include "service/transitions.hpp"

namespace sb::service {

using call::CallEvent;
using call::CallState;
using call::ErrorCode;

void Presence::connection_opened(const Principal& user) {
  ++local_connections_[{user.org_id, user.user_id}];
  const std::int64_t now = ctx_.clock.now_ms();
  auto was_present =
      ctx_.store.is_present(user.org_id, user.user_id, now, ctx_.timings.presence_grace_ms);
  if (is_staff(user)) {
    (void)ctx_.store.upsert_staff(user.org_id, user.user_id, user.name, now);
    // docs/queue.md#topics: the topics they serve are those of their latest token.
    (void)ctx_.store.set_staff_skills(user.org_id, user.user_id, user.skills);
  }
  if (!ctx_.store.presence_connect(user.org_id, user.user_id, ctx_.timings.node_id)) return;
  ctx_.first_connected_ms.try_emplace(user.org_id + "/" + user.user_id, now);
  timers_.cancel_graces(user.org_id, user.user_id);
  if (is_staff(user) && was_present && !*was_present) {
    announcer_.announce_staff(user.org_id, {user.user_id});
    router_.reroute_org(user.org_id);
  }
}

void Presence::connection_closed(const Principal& user) {
  if (auto it = local_connections_.find({user.org_id, user.user_id});
      it != local_connections_.end() && --it->second <= 0) {
    local_connections_.erase(it);
  }
  const std::int64_t now = ctx_.clock.now_ms();
  auto left = ctx_.store.presence_disconnect(user.org_id, user.user_id, ctx_.timings.node_id, now);
  if (!left || *left > 0) return;
  timers_.schedule_graces(user.org_id, user.user_id, is_staff(user), now);
}

void Presence::on_presence_grace(const std::string& org_id, const std::string& user_id,
                                 bool staff) {
  const std::int64_t now = ctx_.clock.now_ms();
  auto present = ctx_.store.is_present(org_id, user_id, now, ctx_.timings.presence_grace_ms);
  if (!present || *present) return;
  if (staff) withdraw_rings(org_id, user_id);
  auto open = ctx_.store.open_calls_of_user(org_id, user_id);
  if (!open) return;
  for (const auto& c : *open) {
    // docs/api.md#presence: a caller gone longer than the grace while ringing has left.
    const bool waiting = c.state == CallState::kRinging || c.state == CallState::kQueued;
    if (c.caller.id == user_id && waiting) {
      (void)transitions_.apply(c, CallEvent::kCallerLeft, {});
    }
  }
}

void Presence::withdraw_rings(const std::string& org_id, const std::string& staff_id) {
  // docs/api.md#presence: staff are rung only while connected. Taking their rings back is no missed
  // ring (10.4); each call moves on to whoever else can be rung, or rings on until its deadline.
  auto withdrawn = ctx_.store.withdraw_rings(org_id, staff_id, ctx_.clock.now_ms());
  announcer_.announce_staff(org_id, {staff_id});
  if (!withdrawn) return;
  for (const auto& call_id : *withdrawn) {
    ctx_.hot.participants_changed(call_id);
    timers_.cancel(TimerKey::ring_step(call_id, staff_id));
    router_.reroute(org_id, call_id);
  }
}

void Presence::on_reconnect_grace(const std::string& org_id, const std::string& user_id) {
  const std::int64_t now = ctx_.clock.now_ms();
  auto present = ctx_.store.is_present(org_id, user_id, now, ctx_.timings.reconnect_grace_ms);
  if (!present || *present) return;
  auto open = ctx_.store.open_calls_of_user(org_id, user_id);
  if (!open) return;
  for (const auto& c : *open) {
    const bool participant = c.caller.id == user_id || (c.staff && c.staff->id == user_id);
    if (participant && (c.state == CallState::kAccepted || c.state == CallState::kActive)) {
      (void)transitions_.apply(c, CallEvent::kParticipantLost, {});
    }
  }
}

// --- Node liveness ---

void Presence::first_heartbeat() {
  if (!ctx_.timings.single_node) beat(ctx_.clock.now_ms());
}

void Presence::beat(std::int64_t now) {
  auto renewed = ctx_.store.node_heartbeat(ctx_.timings.node_id, now);
  if (!renewed) return;
  // No row although this node beat before: the others took it for dead (it could not write for
  // --node-timeout) and closed its connections. They are open: say so again.
  if (!*renewed && last_beat_ms_ != 0) restore_pending_ = true;
  last_beat_ms_ = now;
}

void Presence::watch_nodes() {
  if (ctx_.timings.single_node) return;
  constexpr std::int64_t kBeatEveryMs = 1000;
  const std::int64_t now = ctx_.clock.now_ms();
  if (now - last_beat_ms_ >= kBeatEveryMs) beat(now);
  if (restore_pending_) restore_pending_ = !restore_presence();
  auto reaped =
      ctx_.store.reap_dead_nodes(ctx_.timings.node_id, now - ctx_.timings.node_timeout_ms);
  if (!reaped) return;
  for (const auto& user : *reaped) {
    obs::log_info("presence.taken_over", {{"org", user.org_id},
                                          {"user", user.user_id},
                                          {"last_heard_ms_ago", now - user.disconnected_at_ms}});
    // As if their last connection closed when their node was last heard from: graces already
    // over run at once.
    timers_.schedule_graces(user.org_id, user.user_id, user.staff, user.disconnected_at_ms);
  }
}

bool Presence::restore_presence() {
  std::vector<storage::LocalPresence> users;
  for (const auto& [key, count] : local_connections_) {
    users.push_back({key.first, key.second, count});
  }
  if (!ctx_.store.presence_restore(ctx_.timings.node_id, users)) return false;
  obs::log_warn("presence.restored", {{"node", ctx_.timings.node_id}, {"users", users.size()}});
  return true;
}

// --- Status ---

Result<std::vector<storage::StaffEntry>> Presence::list_staff(const Principal& user) {
  if (!is_staff(user)) return call::make_error(ErrorCode::kForbidden);
  return ctx_.store.list_staff(user.org_id, ctx_.clock.now_ms(), ctx_.timings.presence_grace_ms);
}

Result<storage::StaffEntry> Presence::set_my_status(const Principal& user,
                                                    call::StaffStatus status) {
  if (!is_staff(user)) return call::make_error(ErrorCode::kForbidden);
  const std::int64_t now = ctx_.clock.now_ms();
  if (auto r = ctx_.store.upsert_staff(user.org_id, user.user_id, user.name, now); !r) {
    return r.error();
  }
  if (auto r = ctx_.store.set_staff_skills(user.org_id, user.user_id, user.skills); !r) {
    return r.error();
  }
  if (auto r = ctx_.store.set_staff_status(user.org_id, user.user_id, status, now); !r) {
    return r.error();
  }
  announcer_.announce_staff(user.org_id, {user.user_id});
  if (status == call::StaffStatus::kAvailable) router_.reroute_org(user.org_id);
  auto entry =
      ctx_.store.find_staff(user.org_id, user.user_id, now, ctx_.timings.presence_grace_ms);
  if (!entry) return entry.error();
  if (!*entry) return call::make_error(ErrorCode::kUnavailable);
  return **entry;
}

}  // namespace sb::service
