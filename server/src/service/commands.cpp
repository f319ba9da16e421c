#include "service/commands.hpp"

#include <algorithm>

#include "obs/log.hpp"
#include "service/announcer.hpp"
#include "service/call_json.hpp"
#include "service/call_queue.hpp"
#include "service/call_timers.hpp"
#include "service/router.hpp"
#include "service/rules.hpp"
#include "service/transitions.hpp"
#include "util/ids.hpp"

namespace sb::service {
namespace {

using auth::Role;
using call::CallEvent;
using call::CallState;
using call::ErrorCode;
using call::make_error;
using storage::RingOutcome;

Call new_ringing_call(const Principal& user, const CreateCallRequest& request, std::int64_t now,
                      std::int64_t ring_timeout_ms) {
  Call c;
  c.id = time_ordered_id("call_", now);
  c.org_id = user.org_id;
  c.state = CallState::kRinging;
  c.version = 1;
  c.caller = {user.user_id, user.name};
  c.media = request.media;
  c.metadata = request.metadata;
  c.created_at_ms = now;
  c.ring_deadline_ms = now + ring_timeout_ms;
  c.requested_staff_id = request.staff_id;
  c.topic = request.topic;
  return c;
}

/// The participants of a call just created with `targets`, as the store holds them.
std::vector<storage::Participant> rung_at(const std::vector<storage::RingTarget>& targets,
                                          std::int64_t now) {
  std::vector<storage::Participant> rung;
  for (const auto& t : targets) {
    rung.push_back({t.staff_id, now, t.ring_until_ms, RingOutcome::kRinging});
  }
  std::sort(rung.begin(), rung.end(),
            [](const auto& a, const auto& b) { return a.staff_id < b.staff_id; });
  return rung;
}

}  // namespace

Result<CreateCallResult> Commands::create_call(const Principal& user,
                                               const CreateCallRequest& request) {
  if (user.role != Role::kClient) {
    return make_error(ErrorCode::kForbidden, "Only clients can place calls.");
  }
  if (request.idempotency_key) {
    auto earlier = ctx_.store.find_call_by_idempotency_key(user.org_id, user.user_id,
                                                           *request.idempotency_key);
    if (!earlier) return earlier.error();
    if (*earlier) return CreateCallResult{**earlier, false};
  }
  auto open = reads_.open_call_of_caller(user);
  if (!open) return open.error();
  if (*open) {
    auto error = make_error(ErrorCode::kCallInProgress);
    error.details["call_id"] = **open;
    return error;
  }
  // A storage failure here is `unavailable`, not "nobody can be rung".
  auto candidates = router_.ringable_staff(user.org_id);
  if (!candidates) return candidates.error();
  const auto routing = ctx_.timings.routing;
  auto chosen = call::choose_staff_to_ring(routing, call::serving(*candidates, request.topic),
                                           request.staff_id, {}, false);
  if (chosen.empty()) return enqueue(user, request);
  auto ahead = queue_.has_calls_ahead(user.org_id, chosen);
  if (!ahead) return ahead.error();
  if (*ahead) {
    auto queued = enqueue(user, request);
    // A full queue does not refuse a caller whom ringing staff could still take.
    const bool full = !queued && queued.error().code == ErrorCode::kQueueFull;
    if (!full) return queued;
  }

  const std::int64_t now = ctx_.clock.now_ms();
  const Call c = new_ringing_call(user, request, now, ctx_.timings.ring_timeout_ms);
  std::optional<std::int64_t> until;
  if (routing == call::RoutingMode::kLongestIdle) {
    until = std::min(now + ctx_.timings.ring_step_ms, c.ring_deadline_ms);
  }
  std::vector<storage::RingTarget> targets;
  std::vector<std::string> staff_ids;
  for (const auto& s : chosen) {
    targets.push_back({s.id, until});
    staff_ids.push_back(s.id);
  }
  auto created = ctx_.store.create_call(c, targets, request.idempotency_key);
  if (!created) return created.error();
  if (!created->created) return CreateCallResult{created->call, false};
  const Call& stored = created->call;
  ctx_.hot.put_call(stored, rung_at(targets, now));
  ctx_.observer.on_created(stored);
  obs::log_info("call.created", {{"call_id", stored.id},
                                 {"org", stored.org_id},
                                 {"caller", stored.caller.id},
                                 {"rung", staff_ids.size()}});
  timers_.schedule_ring_timeout(stored.org_id, stored.id, stored.ring_deadline_ms);
  if (until) {
    for (const auto& id : staff_ids)
      timers_.schedule_ring_step(stored.org_id, stored.id, id, *until);
  }
  announcer_.publish(stored.org_id, {stored.caller.id},
                     {{"type", "call.updated"}, {"call", call_to_json(stored)}});
  router_.ring(stored, staff_ids);
  return CreateCallResult{stored, true};
}

Result<CreateCallResult> Commands::enqueue(const Principal& user,
                                           const CreateCallRequest& request) {
  auto may_wait = queue_.may_wait(user.org_id, request.topic, request.staff_id);
  if (!may_wait) return may_wait.error();
  if (!*may_wait) return make_error(ErrorCode::kNoStaffAvailable);
  auto length = queue_.length(user.org_id);
  if (!length) return length.error();
  if (*length >= ctx_.timings.max_queue) return make_error(ErrorCode::kQueueFull);

  const std::int64_t now = ctx_.clock.now_ms();
  Call c = new_ringing_call(user, request, now, ctx_.timings.queue_timeout_ms);
  c.state = CallState::kQueued;
  c.queued_at_ms = now;
  // Until it rings, its ring deadline is the queue deadline: the latest it can stop waiting.
  c.queue_deadline_ms = c.ring_deadline_ms;
  auto created = ctx_.store.create_call(c, {}, request.idempotency_key);
  if (!created) return created.error();
  if (!created->created) return CreateCallResult{created->call, false};
  Call stored = created->call;
  ctx_.hot.put_call(stored, std::vector<storage::Participant>{});
  ctx_.observer.on_created(stored);
  obs::log_info("call.queued", {{"call_id", stored.id},
                                {"org", stored.org_id},
                                {"caller", stored.caller.id},
                                {"topic", stored.topic.value_or("")}});
  timers_.schedule_queue_timeout(stored.org_id, stored.id, *stored.queue_deadline_ms);
  queue_.place(stored);
  announcer_.publish(stored.org_id, {stored.caller.id},
                     {{"type", "call.updated"}, {"call", call_to_json(stored)}});
  announcer_.announce_queue_changed(stored.org_id);
  queue_.changed(stored.org_id);
  // Staff freed between the look above and the insert: the call need not wait for the next.
  queue_.promote(stored.org_id);
  return CreateCallResult{stored, true};
}

Result<Call> Commands::transfer(const Principal& user, const std::string& call_id,
                                const std::optional<std::string>& staff_id,
                                const std::optional<std::string>& topic) {
  auto c = access_.participant_call(user, call_id);
  if (!c) return c;
  // docs/queue.md#transfer: only the staff member who took the call passes it on.
  if (!c->staff || c->staff->id != user.user_id) return make_error(ErrorCode::kForbidden);
  if (!call::next_transition(c->state, CallEvent::kTransfer)) return invalid_transition(*c);
  if (staff_id && *staff_id == user.user_id) {
    return make_error(ErrorCode::kInvalidRequest, "A call cannot be transferred to yourself.");
  }
  auto candidates = router_.ringable_staff(user.org_id);
  if (!candidates) return candidates.error();
  std::optional<call::Person> target;
  if (staff_id) {
    auto entry = ctx_.store.find_staff(user.org_id, *staff_id, ctx_.clock.now_ms(),
                                       ctx_.timings.presence_grace_ms);
    if (!entry) return entry.error();
    if (*entry) target = call::Person{(*entry)->id, (*entry)->name};
  }
  const auto routing = ctx_.timings.routing;
  auto chosen =
      call::choose_staff_to_ring(routing, call::serving(*candidates, topic), staff_id, {}, false);
  const std::int64_t now = ctx_.clock.now_ms();
  Principal caller{c->caller.id, c->org_id, Role::kClient, c->caller.name, 0, {}};
  CreateCallRequest request{c->media, staff_id, c->metadata, std::nullopt, topic};
  Call next = new_ringing_call(caller, request, now, ctx_.timings.ring_timeout_ms);
  next.transferred_from = c->id;
  std::vector<storage::RingTarget> targets;
  std::vector<std::string> rung;
  std::optional<std::int64_t> until;
  if (chosen.empty()) {
    // Nobody to ring now: the new call waits in the queue as a create would (docs/queue.md).
    auto may_wait = queue_.may_wait(user.org_id, topic, staff_id);
    if (!may_wait) return may_wait.error();
    if (!*may_wait) return make_error(ErrorCode::kNoStaffAvailable);
    auto length = queue_.length(user.org_id);
    if (!length) return length.error();
    if (*length >= ctx_.timings.max_queue) return make_error(ErrorCode::kQueueFull);
    next.state = CallState::kQueued;
    next.queued_at_ms = now;
    next.ring_deadline_ms = now + ctx_.timings.queue_timeout_ms;
    next.queue_deadline_ms = next.ring_deadline_ms;
  } else {
    if (routing == call::RoutingMode::kLongestIdle) {
      until = std::min(now + ctx_.timings.ring_step_ms, next.ring_deadline_ms);
    }
    for (const auto& s : chosen) {
      targets.push_back({s.id, until});
      rung.push_back(s.id);
    }
  }
  storage::TransitionRequest r;
  r.successor = next;
  r.successor_ring = targets;
  // The old call ends and the new one starts in one transaction (SqlStore::transition).
  auto moved = transitions_.apply(*c, CallEvent::kTransfer, r);
  if (!moved) return moved.error();
  auto stored = ctx_.store.find_call(next.org_id, next.id);
  if (!stored) return stored.error();
  if (!*stored) return make_error(ErrorCode::kUnavailable);
  follow_new_call(**stored, target, rung, until);
  Call shown = **stored;
  shown.transfer_target = target;
  queue_.place(shown);
  return shown;
}

void Commands::follow_new_call(const Call& stored, const std::optional<call::Person>& target,
                               const std::vector<std::string>& rung,
                               std::optional<std::int64_t> ring_until) {
  std::vector<storage::Participant> parts;
  for (const auto& id : rung) {
    parts.push_back({id, stored.created_at_ms, ring_until, RingOutcome::kRinging});
  }
  ctx_.hot.put_call(stored, parts);
  ctx_.observer.on_created(stored);
  obs::log_info("call.transferred", {{"call_id", stored.id},
                                     {"org", stored.org_id},
                                     {"from", stored.transferred_from.value_or("")},
                                     {"state", call::to_string(stored.state)},
                                     {"rung", rung.size()}});
  Call shown = stored;
  shown.transfer_target = target;
  if (stored.state == CallState::kQueued) {
    timers_.schedule_queue_timeout(stored.org_id, stored.id, *stored.queue_deadline_ms);
    queue_.place(shown);
  } else {
    timers_.schedule_ring_timeout(stored.org_id, stored.id, stored.ring_deadline_ms);
    if (ring_until) {
      for (const auto& id : rung)
        timers_.schedule_ring_step(stored.org_id, stored.id, id, *ring_until);
    }
  }
  announcer_.publish(stored.org_id, {stored.caller.id},
                     {{"type", "call.updated"}, {"call", call_to_json(shown)}});
  router_.ring(stored, rung);
  if (stored.state == CallState::kQueued) {
    announcer_.announce_queue_changed(stored.org_id);
    queue_.changed(stored.org_id);
    queue_.promote(stored.org_id);
  }
}

Result<Call> Commands::accept(const Principal& user, const std::string& call_id) {
  auto c = access_.visible_call(user, call_id);
  if (!c) return c;
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  auto parts = reads_.participants_of(call_id);
  if (!parts) return parts.error();
  auto mine = std::find_if(parts->begin(), parts->end(),
                           [&](const auto& p) { return p.staff_id == user.user_id; });
  // docs/api.md#identity: a staff member who was not rung may not accept.
  if (mine == parts->end()) return make_error(ErrorCode::kForbidden);
  if (mine->outcome != RingOutcome::kRinging) {
    // Another node may have moved the call between the two reads above (the participants were
    // updated in the same transaction as the call): read the call again, so it is at least as
    // new as the ring outcome.
    auto fresh = reads_.find_call(user.org_id, call_id);
    if (!fresh) return fresh.error();
    if (*fresh) c = **fresh;
  }
  // docs/api.md#actions-on-a-call: only the winner's repeat is answered 200, while the call is
  // still live.
  auto mine_and_live = [&](const Call& call) {
    return call.staff && call.staff->id == user.user_id && !call::is_terminal(call.state);
  };
  if (mine_and_live(*c)) return c;
  if (c->state == CallState::kRinging && mine->outcome == RingOutcome::kRinging) {
    storage::TransitionRequest r;
    r.accepting_staff = call::Person{user.user_id, user.name};
    // docs/config.md#ice-server-profiles: the call's ICE servers come from one profile, drawn by
    // weight now.
    r.ice_profile = draw_ice_profile(ice_profiles(ctx_.ice), profile_draw_(rng_)).name;
    auto moved = transitions_.apply(*c, CallEvent::kAccept, r);
    if (moved) return moved;
    // docs/api.md#failures: a write that failed is `unavailable` (retry), never a lost race: the
    // call may still be taken.
    if (moved.error().code != ErrorCode::kInvalidTransition) return moved;
    // Lost the compare-and-swap: say who won if someone did.
    auto now = reads_.find_call(user.org_id, call_id);
    if (now && *now) c = **now;
  }
  if (mine_and_live(*c)) return c;
  if (c->staff && c->staff->id != user.user_id) {
    ctx_.observer.on_accept_conflict();
    auto error = make_error(ErrorCode::kCallAlreadyTaken);
    error.details["state"] = std::string(call::to_string(c->state));
    return error;
  }
  auto error = invalid_transition(*c);
  // The call still rings, but no longer for this staff member: say why (declined, stopped when
  // they took another call, withdrawn while they were offline, their ring step ran out), so a
  // UI holding a late call.incoming can drop it.
  if (c->state == CallState::kRinging)
    error.details["ring"] = std::string(to_string(mine->outcome));
  return error;
}

Result<Call> Commands::decline(const Principal& user, const std::string& call_id) {
  auto c = access_.visible_call(user, call_id);
  if (!c) return c;
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  auto outcome = ctx_.store.decline(user.org_id, call_id, user.user_id, ctx_.clock.now_ms());
  if (!outcome) return outcome.error();
  ctx_.hot.participants_changed(call_id);
  if (!outcome->declined) {
    auto parts = reads_.participants_of(call_id);
    if (!parts) return parts.error();
    auto mine = std::find_if(parts->begin(), parts->end(),
                             [&](const auto& p) { return p.staff_id == user.user_id; });
    if (mine == parts->end()) return make_error(ErrorCode::kForbidden);
    // A repeated decline while the call still rings changes nothing and is fine.
    if (c->state == CallState::kRinging && mine->outcome == RingOutcome::kDeclined) return c;
    return invalid_transition(*c);
  }
  announcer_.announce_staff(user.org_id, {user.user_id});
  router_.reroute(user.org_id, call_id);
  queue_.promote(user.org_id);  // Free again, they may take a queued call.
  auto now = reads_.find_call(user.org_id, call_id);
  if (!now) return now.error();
  return now->value_or(*c);
}

Result<Call> Commands::cancel(const Principal& user, const std::string& call_id) {
  auto c = access_.visible_call(user, call_id);
  if (!c) return c;
  if (c->caller.id != user.user_id) return make_error(ErrorCode::kForbidden);
  return transitions_.apply(*c, CallEvent::kCancel, {});
}

Result<Call> Commands::connected(const Principal& user, const std::string& call_id,
                                 const std::optional<std::string>& candidate_type) {
  auto c = access_.participant_call(user, call_id);
  if (!c) return c;
  // Both sides report media connected; the second report finds the call active already.
  if (c->state == CallState::kActive) return c;
  auto moved = transitions_.apply(*c, CallEvent::kConnected, {});
  if (moved) {
    ctx_.observer.on_ice_result("connected", candidate_type.value_or("unknown"),
                                moved->ice_profile.value_or("unknown"));
  }
  return moved;
}

Result<Call> Commands::end(const Principal& user, const std::string& call_id,
                           const std::optional<std::string>& reason) {
  auto c = access_.participant_call(user, call_id);
  if (!c) return c;
  const std::string why = reason.value_or("hangup");
  const bool media_failure = why == "ice_failed" || why == "media_failed";
  storage::TransitionRequest r;
  r.end_reason = why;
  if (media_failure && c->state == CallState::kAccepted) {
    return transitions_.apply(*c, CallEvent::kMediaFailed, r);
  }
  return transitions_.apply(*c, CallEvent::kHangup, r);
}

}  // namespace sb::service
