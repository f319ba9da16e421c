#include "service/router.hpp"

#include <algorithm>
#include <set>

#include "service/announcer.hpp"
#include "service/call_json.hpp"
#include "service/call_queue.hpp"
#include "service/call_timers.hpp"
#include "service/transitions.hpp"

namespace sb::service {
namespace {

using call::CallState;
using storage::RingOutcome;

std::vector<call::StaffCandidate> candidates_from(const std::vector<storage::StaffEntry>& staff,
                                                  bool with_ringing) {
  std::vector<call::StaffCandidate> out;
  for (const auto& s : staff) {
    const bool free = s.state == call::StaffState::kIdle ||
                      (with_ringing && s.state == call::StaffState::kRinging);
    if (s.status == call::StaffStatus::kAvailable && s.connected && free) {
      out.push_back(
          {s.id, s.name, s.idle_since_ms, s.skills, s.state == call::StaffState::kRinging});
    }
  }
  return out;
}

}  // namespace

Result<std::vector<call::StaffCandidate>> Router::ringable_staff(const std::string& org_id) {
  return staff_to_ring(org_id, true);
}

Result<std::vector<call::StaffCandidate>> Router::free_staff(const std::string& org_id) {
  return staff_to_ring(org_id, false);
}

Result<std::vector<call::StaffCandidate>> Router::staff_to_ring(const std::string& org_id,
                                                                bool with_ringing) {
  if (const auto* staff = ctx_.hot.staff_of(org_id)) return candidates_from(*staff, with_ringing);
  auto listed = ctx_.store.list_staff(org_id, ctx_.clock.now_ms(), ctx_.timings.presence_grace_ms);
  if (!listed) return listed.error();
  ctx_.hot.put_staff_list(org_id, *listed);  // Kept with one node only.
  return candidates_from(*listed, with_ringing);
}

void Router::ring(const Call& c, const std::vector<std::string>& staff_ids) {
  if (staff_ids.empty()) return;
  announcer_.publish(c.org_id, staff_ids, {{"type", "call.incoming"}, {"call", call_to_json(c)}});
  announcer_.announce_staff(c.org_id, staff_ids);
}

void Router::reroute(const std::string& org_id, const std::string& call_id) {
  auto free = free_staff(org_id);
  if (!free) return;  // The sweeper and the next availability change try again.
  reroute(org_id, call_id, *free);
}

void Router::reroute(const std::string& org_id, const std::string& call_id,
                     const std::vector<call::StaffCandidate>& free) {
  auto found = reads_.find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kRinging) return;
  const Call c = **found;
  auto parts = reads_.participants_of(call_id);
  if (!parts) return;
  std::set<std::string> already;
  bool someone_ringing = false;
  bool all_declined = !parts->empty();
  bool some_stopped = false;
  for (const auto& p : *parts) {
    // Staff whose ring was withdrawn while they were offline are rung again once back. Staff
    // whose ring stopped when they took another call are not: once free they are offered the
    // oldest waiting call by the queue (docs/queue.md, "Churn").
    if (p.outcome != RingOutcome::kWithdrawn) already.insert(p.staff_id);
    someone_ringing |= p.outcome == RingOutcome::kRinging;
    all_declined &= p.outcome == RingOutcome::kDeclined;
    some_stopped |= p.outcome == RingOutcome::kStopped;
  }
  const auto routing = ctx_.timings.routing;
  auto chosen = call::choose_staff_to_ring(routing, call::serving(free, c.topic),
                                           c.requested_staff_id, already, someone_ringing);
  if (!chosen.empty()) {
    const std::int64_t now = ctx_.clock.now_ms();
    std::vector<storage::RingTarget> targets;
    std::optional<std::int64_t> until;
    if (routing == call::RoutingMode::kLongestIdle) {
      until = std::min(now + ctx_.timings.ring_step_ms, c.ring_deadline_ms);
    }
    for (const auto& s : chosen) targets.push_back({s.id, until});
    auto added = ctx_.store.add_ring_targets(org_id, call_id, targets, now);
    ctx_.hot.participants_changed(call_id);
    if (!added) return;
    ring(c, *added);
    if (until) {
      for (const auto& id : *added) timers_.schedule_ring_step(org_id, call_id, id, *until);
    }
    return;
  }
  if (!someone_ringing && all_declined) {
    (void)end_unanswered(c, call::CallEvent::kAllDeclined);
  } else if (!someone_ringing && some_stopped) {
    // Everyone it rang took another call, and nobody is free: it joins the queue, where the
    // next staff member to free up is offered it (oldest first) rather than every waiting call.
    auto back = queue_.takes_back(c);
    if (back && *back) (void)requeue(c);
  }
}

Result<Call> Router::requeue(const Call& c) {
  storage::TransitionRequest r;
  // A call that never queued joins at its creation, with the deadline a create would give it.
  r.queued_at_ms = c.queued_at_ms.value_or(c.created_at_ms);
  r.queue_deadline_ms = queue_.queue_deadline_of(c);
  r.ring_deadline_ms = r.queue_deadline_ms;  // While queued, it shows the queue deadline.
  return transitions_.apply(c, call::CallEvent::kRequeue, r);
}

Result<Call> Router::end_unanswered(const Call& c, call::CallEvent otherwise) {
  // A call rung at once on create ends as in v1 (docs/api.md#the-call); one that waited keeps its
  // place.
  if (!c.queued_at_ms) return transitions_.apply(c, otherwise, {});
  auto back = queue_.takes_back(c);
  if (!back) return back.error();
  if (!*back) return transitions_.apply(c, otherwise, {});
  return requeue(c);
}

void Router::reroute_org(const std::string& org_id) {
  // docs/queue.md: staff who may have become ringable take the oldest queued calls first.
  queue_.promote(org_id);
  // Those still free after that are rung for every call that rings (docs/api.md#the-call: staff who
  // become available while a call rings are rung too). Read once: each one rung below is
  // ringing for the next call, and is still free for it.
  auto free = free_staff(org_id);
  if (!free) return;
  // Staff another node freed between promote's read and this one would be rung below for a
  // call that already rings, and the queue behind them would wait for that ring to end: they
  // are offered the queue instead.
  auto takers = queue_.queue_takers(org_id, *free);
  if (!takers) return;
  if (!takers->empty()) {
    queue_.promote(org_id);
    std::erase_if(*free, [&](const auto& s) { return takers->contains(s.id); });
  }
  if (ctx_.hot.enabled()) {
    for (const auto& id : ctx_.hot.ringing_calls_of(org_id)) reroute(org_id, id, *free);
    return;
  }
  auto ringing = ctx_.store.ringing_calls();
  if (!ringing) return;
  for (const auto& ref : *ringing) {
    if (ref.org_id == org_id) reroute(org_id, ref.call_id, *free);
  }
}

}  // namespace sb::service
