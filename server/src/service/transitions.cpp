#include "service/transitions.hpp"

#include "obs/log.hpp"
#include "service/announcer.hpp"
#include "service/call_queue.hpp"
#include "service/call_reads.hpp"
#include "service/call_timers.hpp"
#include "service/live_calls.hpp"
#include "service/missed_rings.hpp"
#include "service/quality_feedback.hpp"
#include "service/router.hpp"
#include "service/rules.hpp"

namespace sb::service {

using call::CallState;

Result<Call> Transitions::apply(const Call& c, call::CallEvent event,
                                storage::TransitionRequest r) {
  auto transition = call::next_transition(c.state, event);
  if (!transition) return invalid_transition(c);
  // What the move causes comes from the spec (spec/call-fsm.json "effects"): the store applies
  // the data effects in its transaction, and this function carries out the rest. Neither adds
  // a rule of its own.
  const call::Effects& effects = transition->effects;
  const call::EffectPolicy policy{ctx_.timings.routing, ctx_.timings.wrap_up_ms > 0};
  r.org_id = c.org_id;
  r.call_id = c.id;
  r.from = {c.state};
  r.to = transition->to;
  if (!r.end_reason && transition->end_reason) r.end_reason = std::string(*transition->end_reason);
  r.now_ms = ctx_.clock.now_ms();
  r.effects = effects;
  r.max_missed = ctx_.timings.max_missed;
  if (effects.ringing_staff == storage::RingOutcome::kMissed) {
    auto not_counted = missed_rings_not_counted(ctx_, c.org_id, c.id);
    if (!not_counted) return not_counted.error();
    r.missed_not_counted = std::move(*not_counted);
  }
  r.wrap_up_ms = ctx_.timings.wrap_up_ms;
  auto outcome = ctx_.store.transition(r);
  if (!outcome) return outcome.error();
  if (!outcome->call) {
    // Someone else moved it first (or, for an accept, this staff member is no longer rung for
    // it): answer from what the database holds now.
    auto now = ctx_.store.find_call(c.org_id, c.id);
    if (!now) return now.error();
    if (!*now) return call::make_error(call::ErrorCode::kNotFound);
    if (call::is_terminal((*now)->state)) {
      ctx_.hot.end_call(**now);
    } else {
      ctx_.hot.put_call(**now);
      ctx_.hot.participants_changed(c.id);
    }
    return invalid_transition(**now);
  }
  const Call& moved = *outcome->call;
  remember(moved, *outcome);
  timers_.stop(moved.id, effects.stop_timers);
  // Read before the call leaves memory, which may know it had no samples to read.
  const bool terminal = call::is_terminal(moved.state);
  const auto quality = terminal ? quality_.quality_shown(moved) : std::nullopt;
  // Everyone rung for the call hears of the move; the store hands the rings back only when the
  // move changed them.
  std::vector<storage::Participant> participants;
  if (outcome->participants) {
    participants = std::move(*outcome->participants);
  } else if (auto known = CallReads(ctx_).participants_of(moved.id)) {
    participants = std::move(*known);
  } else {
    // The move is committed and must be announced: to its caller and staff member at least.
    obs::log_warn("call.participants_unread",
                  {{"call_id", moved.id}, {"error", known.error().text()}});
  }
  if (moved.state == CallState::kQueued) {  // Back in the queue: the caller hears their place.
    Call placed = moved;
    queue_.place(placed);
    announcer_.announce(placed, c.state, participants, quality);
    queue_.changed(moved.org_id);
  } else {
    announcer_.announce(moved, c.state, participants, quality);
  }
  if (terminal) ctx_.hot.end_call(moved, std::move(participants));
  announcer_.announce_staff(moved.org_id, outcome->staff_changed);
  if (call::starts_timer(effects, call::TimerKind::kRing, policy)) {  // A promoted call.
    timers_.schedule_ring_timeout(moved.org_id, moved.id, moved.ring_deadline_ms);
  }
  if (call::starts_timer(effects, call::TimerKind::kQueue, policy)) {  // Back in the queue.
    timers_.schedule_queue_timeout(moved.org_id, moved.id, moved.queue_deadline_ms.value_or(0));
  }
  if (c.state == CallState::kQueued) queue_.changed(moved.org_id);  // The others move up.
  if (call::starts_timer(effects, call::TimerKind::kConnect, policy)) {
    timers_.schedule_connect_timeout(moved.org_id, moved.id,
                                     *moved.accepted_at_ms + ctx_.timings.connect_timeout_ms);
  }
  if (effects.push_ice_servers) announcer_.push_ice_servers(moved.org_id, moved.id);
  if (call::starts_timer(effects, call::TimerKind::kWrapUp, policy) && moved.staff) {
    timers_.schedule_wrap_up_end(moved.org_id, moved.staff->id, r.now_ms + ctx_.timings.wrap_up_ms);
  }
  if (moved.state == CallState::kFailed) {
    ctx_.observer.on_ice_result("failed", "unknown", moved.ice_profile.value_or("unknown"));
  }
  if (call::should_reroute(effects, policy)) {
    router_.reroute_org(moved.org_id);
  } else if (effects.reroute != call::Reroute::kNever) {
    // Staff this move freed were rung for every ringing call already (ring-all), but not for
    // the queued ones (docs/queue.md).
    queue_.promote(moved.org_id);
  }
  // Calls that stopped ringing for the staff member who accepted (docs/api.md#routing) and now ring
  // nobody ring whoever is free, or join the queue (docs/queue.md, "Churn").
  for (const auto& other : outcome->rings_stopped) router_.reroute(moved.org_id, other);
  return moved;
}

void Transitions::remember(const Call& moved, const storage::TransitionOutcome& outcome) {
  for (const auto& other : outcome.rings_stopped) ctx_.hot.participants_changed(other);
  if (call::is_terminal(moved.state)) {
    live_calls_.forget(moved.id);
    return;
  }
  ctx_.hot.put_call(moved, outcome.participants);
  if (moved.state == CallState::kAccepted || moved.state == CallState::kActive) {
    live_calls_.remember(moved);
  }
}

}  // namespace sb::service
