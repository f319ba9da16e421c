#include "service/call_timers.hpp"

#include <algorithm>

#include "obs/log.hpp"
#include "service/announcer.hpp"
#include "service/missed_rings.hpp"
#include "service/presence.hpp"
#include "service/router.hpp"
#include "service/transitions.hpp"

namespace sb::service {

using call::CallEvent;
using call::CallState;
using storage::RingOutcome;

void CallTimers::stop(const std::string& call_id, call::TimerSet kinds) {
  using call::TimerKind;
  if (kinds.contains(TimerKind::kRing)) table_.cancel(TimerKey::ring_timeout(call_id));
  if (kinds.contains(TimerKind::kConnect)) table_.cancel(TimerKey::connect_timeout(call_id));
  if (kinds.contains(TimerKind::kIceRefresh)) table_.cancel(TimerKey::ice_refresh(call_id));
  if (kinds.contains(TimerKind::kRingStep)) table_.cancel_ring_steps(call_id);
  if (kinds.contains(TimerKind::kQueue)) table_.cancel(TimerKey::queue_timeout(call_id));
}

void CallTimers::schedule_ring_timeout(const std::string& org_id, const std::string& call_id,
                                       std::int64_t at_ms) {
  table_.schedule(TimerKey::ring_timeout(call_id), at_ms,
                  [this, org_id, call_id] { on_ring_timeout(org_id, call_id); });
}

void CallTimers::schedule_queue_timeout(const std::string& org_id, const std::string& call_id,
                                        std::int64_t at_ms) {
  table_.schedule(TimerKey::queue_timeout(call_id), at_ms,
                  [this, org_id, call_id] { on_queue_timeout(org_id, call_id); });
}

void CallTimers::schedule_connect_timeout(const std::string& org_id, const std::string& call_id,
                                          std::int64_t at_ms) {
  table_.schedule(TimerKey::connect_timeout(call_id), at_ms,
                  [this, org_id, call_id] { on_connect_timeout(org_id, call_id); });
}

void CallTimers::schedule_ring_step(const std::string& org_id, const std::string& call_id,
                                    const std::string& staff_id, std::int64_t at_ms) {
  table_.schedule(TimerKey::ring_step(call_id, staff_id), at_ms, [this, org_id, call_id, staff_id] {
    on_ring_step_end(org_id, call_id, staff_id);
  });
}

void CallTimers::schedule_wrap_up_end(const std::string& org_id, const std::string& staff_id,
                                      std::int64_t at_ms) {
  table_.schedule(TimerKey::wrap_up_end(org_id, staff_id), at_ms, [this, org_id, staff_id, at_ms] {
    on_wrap_up_end({org_id, staff_id, at_ms});
  });
}

void CallTimers::schedule_ice_refresh(const std::string& org_id, const std::string& call_id,
                                      std::int64_t at_ms) {
  table_.schedule(TimerKey::ice_refresh(call_id), at_ms,
                  [this, org_id, call_id] { announcer_.push_ice_servers(org_id, call_id); });
}

void CallTimers::schedule_graces(const std::string& org_id, const std::string& user_id, bool staff,
                                 std::int64_t now_ms) {
  // +1 ms: the grace has fully passed when the check runs.
  table_.schedule(
      TimerKey::presence_grace(org_id, user_id), now_ms + ctx_.timings.presence_grace_ms + 1,
      [this, org_id, user_id, staff] { presence_.on_presence_grace(org_id, user_id, staff); });
  table_.schedule(TimerKey::reconnect_grace(org_id, user_id),
                  now_ms + ctx_.timings.reconnect_grace_ms + 1,
                  [this, org_id, user_id] { presence_.on_reconnect_grace(org_id, user_id); });
}

void CallTimers::cancel_graces(const std::string& org_id, const std::string& user_id) {
  table_.cancel(TimerKey::presence_grace(org_id, user_id));
  table_.cancel(TimerKey::reconnect_grace(org_id, user_id));
}

// --- When a timer fires ---

void CallTimers::on_ring_timeout(const std::string& org_id, const std::string& call_id) {
  auto found = reads_.find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kRinging) return;
  const Call& c = **found;
  const std::int64_t now = ctx_.clock.now_ms();
  if (now < c.ring_deadline_ms) {  // A timer woke early (clock adjusted): set it again.
    schedule_ring_timeout(org_id, call_id, c.ring_deadline_ms);
    return;
  }
  if (router_.end_unanswered(c, CallEvent::kRingTimeout)) {
    ctx_.observer.on_ring_timeout_lateness(static_cast<double>(now - c.ring_deadline_ms) / 1000.0);
  }
}

void CallTimers::on_queue_timeout(const std::string& org_id, const std::string& call_id) {
  auto found = reads_.find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kQueued) return;
  const Call& c = **found;
  const std::int64_t deadline = c.queue_deadline_ms.value_or(0);
  if (ctx_.clock.now_ms() < deadline) {  // A timer woke early (clock adjusted): set it again.
    schedule_queue_timeout(org_id, call_id, deadline);
    return;
  }
  (void)transitions_.apply(c, CallEvent::kQueueTimeout, {});
}

void CallTimers::on_connect_timeout(const std::string& org_id, const std::string& call_id) {
  auto found = reads_.find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kAccepted) return;
  (void)transitions_.apply(**found, CallEvent::kConnectTimeout, {});
}

void CallTimers::on_wrap_up_end(const storage::WrapUpRef& wrap_up) {
  // Whichever node claims it: the one that set the timer, or any other once that one is past
  // due (a node that died, a write that failed: the due check tries again).
  auto claimed = ctx_.store.claim_wrap_up_end(wrap_up);
  if (!claimed || !*claimed) return;
  announcer_.announce_staff(wrap_up.org_id, {wrap_up.staff_id});
  router_.reroute_org(wrap_up.org_id);
}

void CallTimers::on_ring_step_end(const std::string& org_id, const std::string& call_id,
                                  const std::string& staff_id) {
  auto not_counted = missed_rings_not_counted(ctx_, org_id, call_id);
  if (!not_counted) return;  // The next due check tries again.
  const bool counts =
      std::find(not_counted->begin(), not_counted->end(), staff_id) == not_counted->end();
  auto ended = ctx_.store.end_ring_step(org_id, call_id, staff_id, ctx_.clock.now_ms(),
                                        ctx_.timings.max_missed, counts);
  if (!ended || !*ended) return;
  ctx_.hot.participants_changed(call_id);
  announcer_.announce_staff(org_id, {staff_id});
  router_.reroute(org_id, call_id);
}

// --- Recovery and sweeping ---

Result<void> CallTimers::recover() {
  const std::int64_t now = ctx_.clock.now_ms();
  // From now until the presence grace has passed, rings that end missed do not count
  // (missed_rings.hpp).
  ctx_.started_at_ms = now;
  // docs/api.md#presence: nobody is dropped for the time the server was down.
  // A node alone resets every row, also those of a name it no longer goes by.
  const std::string reset = ctx_.timings.single_node ? "" : ctx_.timings.node_id;
  if (auto r = ctx_.store.presence_reset(reset, now); !r) return r.error();
  auto ringing = ctx_.store.ringing_calls();
  if (!ringing) return ringing.error();
  for (const auto& ref : *ringing) schedule_ring_timeout(ref.org_id, ref.call_id, ref.deadline_ms);
  // docs/queue.md: the queue comes back with the deadlines it had.
  auto queued = ctx_.store.queued_call_refs();
  if (!queued) return queued.error();
  for (const auto& ref : *queued) schedule_queue_timeout(ref.org_id, ref.call_id, ref.deadline_ms);
  auto accepted = ctx_.store.accepted_calls();
  if (!accepted) return accepted.error();
  for (const auto& ref : *accepted) {
    schedule_connect_timeout(ref.org_id, ref.call_id,
                             ref.deadline_ms + ctx_.timings.connect_timeout_ms);
  }
  auto steps = ctx_.store.open_ring_steps();
  if (!steps) return steps.error();
  for (const auto& s : *steps) schedule_ring_step(s.org_id, s.call_id, s.staff_id, s.ring_until_ms);
  // Staff still in wrap-up: when it ends they are announced idle and rung for waiting calls.
  auto wrap_ups = ctx_.store.wrap_ups_after(now);
  if (!wrap_ups) return wrap_ups.error();
  for (const auto& w : *wrap_ups) schedule_wrap_up_end(w.org_id, w.staff_id, w.until_ms);
  // Every participant of an open call gets the grace again, from now.
  auto open = ctx_.store.open_calls();
  if (!open) return open.error();
  for (const auto& ref : *open) {
    auto c = reads_.find_call(ref.org_id, ref.call_id);
    if (!c || !*c) continue;
    const Call call = **c;
    std::vector<std::string> users{call.caller.id};
    if (call.staff) users.push_back(call.staff->id);
    // Staff it still rings for: their rings are withdrawn if they do not come back in time.
    if (auto parts = reads_.participants_of(call.id)) {
      for (const auto& p : *parts) {
        if (p.outcome == RingOutcome::kRinging) users.push_back(p.staff_id);
      }
    }
    for (const auto& user_id : users) {
      const bool staff = user_id != call.caller.id;
      if (auto present = ctx_.store.ever_connected(call.org_id, user_id); present && *present) {
        schedule_graces(call.org_id, user_id, staff, now);
      }
    }
    if (call.state != CallState::kRinging) announcer_.push_ice_servers(call.org_id, call.id);
  }
  obs::log_info("service.recovered", {{"queued", queued->size()},
                                      {"ringing", ringing->size()},
                                      {"accepted", accepted->size()},
                                      {"open", open->size()}});
  return {};
}

bool CallTimers::take_over_due() {
  // Enough for any burst; more than this are still due at the next check.
  constexpr int kLimit = 1000;
  const std::int64_t due_by = ctx_.clock.now_ms() - kTakeOverAfterMs;
  auto due = ctx_.store.due_calls(due_by, due_by - ctx_.timings.connect_timeout_ms, kLimit);
  if (!due) return false;
  for (const auto& ref : due->ringing) on_ring_timeout(ref.org_id, ref.call_id);
  for (const auto& ref : due->queued) on_queue_timeout(ref.org_id, ref.call_id);
  for (const auto& ref : due->accepted) on_connect_timeout(ref.org_id, ref.call_id);
  if (ctx_.timings.wrap_up_ms > 0) {
    auto wrap_ups = ctx_.store.due_wrap_up_ends(due_by, kLimit);
    if (!wrap_ups) return false;
    for (const auto& w : *wrap_ups) on_wrap_up_end(w);
  }
  // Only longest-idle rings in steps: with ring-all no ring has an end of its own.
  if (ctx_.timings.routing != call::RoutingMode::kLongestIdle) return true;
  auto steps = ctx_.store.due_ring_steps(due_by, kLimit);
  if (!steps) return false;
  for (const auto& s : *steps) on_ring_step_end(s.org_id, s.call_id, s.staff_id);
  return true;
}

}  // namespace sb::service
