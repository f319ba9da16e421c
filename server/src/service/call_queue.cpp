#include "service/call_queue.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "call/queue_estimate.hpp"
#include "call/routing.hpp"
#include "service/announcer.hpp"
#include "service/call_reads.hpp"
#include "service/call_timers.hpp"
#include "service/router.hpp"
#include "service/rules.hpp"
#include "service/transitions.hpp"

namespace sb::service {
namespace {

using call::CallState;
using call::StaffStatus;

constexpr std::int64_t kQueueUpdateEveryMs = 1000;

bool ready_for(const storage::StaffEntry& e) {
  return e.status == StaffStatus::kAvailable && e.connected;
}

/// Whether `e` may take `c`: its topic, or the staff member it asked for.
template <typename Staff>  // storage::StaffEntry or call::StaffCandidate: an id and skills
bool may_take(const Staff& e, const Call& c) {
  if (c.requested_staff_id && *c.requested_staff_id != e.id) return false;
  return call::serves(e.skills, c.topic);
}

/// Whether `c` may be offered to `e`: they may take it and have not refused it (refused_by).
template <typename Staff>
bool may_offer(const Staff& e, const Call& c, const std::set<std::string>& refused) {
  return may_take(e, c) && !refused.contains(e.id);
}

}  // namespace

Result<std::vector<storage::StaffEntry>> CallQueue::staff_of(const std::string& org_id) {
  if (const auto* staff = ctx_.hot.staff_of(org_id)) return *staff;
  auto listed = ctx_.store.list_staff(org_id, ctx_.clock.now_ms(), ctx_.timings.presence_grace_ms);
  if (!listed) return listed.error();
  ctx_.hot.put_staff_list(org_id, *listed);  // Kept with one node only.
  return listed;
}

Result<bool> CallQueue::may_wait(const std::string& org_id, const std::optional<std::string>& topic,
                                 const std::optional<std::string>& staff_id) {
  if (ctx_.timings.max_queue <= 0) return false;
  auto staff = staff_of(org_id);
  if (!staff) return staff.error();
  Call probe;
  probe.topic = topic;
  probe.requested_staff_id = staff_id;
  return std::any_of(staff->begin(), staff->end(),
                     [&](const auto& e) { return ready_for(e) && may_take(e, probe); });
}

Result<bool> CallQueue::has_calls_ahead(const std::string& org_id,
                                        const std::vector<call::StaffCandidate>& chosen) {
  if (ctx_.timings.max_queue <= 0) return false;
  if (ctx_.hot.enabled() && !ctx_.hot.has_queued(org_id)) return false;
  // Staff who are idle would have been given a queued call they could take when they became
  // idle (promote): only staff already ringing can have one waiting for them.
  if (std::none_of(chosen.begin(), chosen.end(), [](const auto& s) { return s.ringing; })) {
    return false;
  }
  auto queued = reads_.queued_calls(org_id);
  if (!queued) return queued.error();
  return std::any_of(queued->begin(), queued->end(), [&](const Call& q) {
    return std::any_of(chosen.begin(), chosen.end(),
                       [&](const call::StaffCandidate& s) { return may_take(s, q); });
  });
}

Result<std::set<std::string>> CallQueue::refused_by(const Call& c) {
  std::set<std::string> refused;
  if (c.state == CallState::kQueued && c.version <= 1) return refused;  // Never rung.
  auto parts = reads_.participants_of(c.id);
  if (!parts) return parts.error();
  for (const auto& p : *parts) {
    // Those still ringing when its ring deadline passes let it ring out too.
    if (p.outcome == storage::RingOutcome::kDeclined ||
        p.outcome == storage::RingOutcome::kMissed || p.outcome == storage::RingOutcome::kRinging) {
      refused.insert(p.staff_id);
    }
  }
  return refused;
}

std::int64_t CallQueue::queue_deadline_of(const Call& c) const {
  return c.queue_deadline_ms.value_or(c.created_at_ms + ctx_.timings.queue_timeout_ms);
}

Result<bool> CallQueue::takes_back(const Call& c) {
  if (ctx_.timings.max_queue <= 0) return false;
  if (ctx_.clock.now_ms() >= queue_deadline_of(c)) return false;
  auto refused = refused_by(c);
  if (!refused) return refused.error();
  auto staff = staff_of(c.org_id);
  if (!staff) return staff.error();
  return std::any_of(staff->begin(), staff->end(),
                     [&](const auto& e) { return ready_for(e) && may_offer(e, c, *refused); });
}

Result<std::int64_t> CallQueue::length(const std::string& org_id) {
  auto queued = reads_.queued_calls(org_id);
  if (!queued) return queued.error();
  return static_cast<std::int64_t>(queued->size());
}

void CallQueue::promote(const std::string& org_id) {
  if (ctx_.hot.enabled() && !ctx_.hot.has_queued(org_id)) return;
  auto queued = reads_.queued_calls(org_id);
  if (!queued || queued->empty()) return;
  auto staff = staff_of(org_id);
  if (!staff) return;  // The next change of staff tries again, and so does the sweep.
  std::vector<storage::StaffEntry> free;
  for (const auto& e : *staff) {
    if (ready_for(e) && e.state == call::StaffState::kIdle) free.push_back(e);
  }
  // First in, first out among the calls each free staff member can serve: a call the free
  // staff cannot take does not hold up the calls behind it.
  for (const Call& c : *queued) {
    if (free.empty()) break;
    auto refused = refused_by(c);
    if (!refused) continue;  // The next change of staff tries again, and so does the sweep.
    std::vector<call::StaffCandidate> eligible;
    for (const auto& e : free) {
      if (may_offer(e, c, *refused)) {
        eligible.push_back({e.id, e.name, e.idle_since_ms, e.skills});
      }
    }
    // One staff member for each promoted call, the one idle longest; under ring-all the
    // reroute that follows rings the other free staff too. A staff member another node gave a
    // call since the read above is not free any more: try the next one.
    for (;;) {
      auto chosen = call::choose_staff_to_ring(call::RoutingMode::kLongestIdle, eligible,
                                               std::nullopt, {}, false);
      if (chosen.empty()) break;
      const std::string staff_id = chosen.front().id;
      const Promotion outcome = promote_to(c, staff_id);
      if (outcome != Promotion::kNotQueued) {
        std::erase_if(free, [&](const auto& e) { return e.id == staff_id; });
      }
      if (outcome != Promotion::kStaffTaken) break;
      std::erase_if(eligible, [&](const auto& e) { return e.id == staff_id; });
    }
  }
}

Result<std::set<std::string>> CallQueue::queue_takers(
    const std::string& org_id, const std::vector<call::StaffCandidate>& free) {
  std::set<std::string> takers;
  if (free.empty() || ctx_.timings.max_queue <= 0) return takers;
  if (ctx_.hot.enabled() && !ctx_.hot.has_queued(org_id)) return takers;
  auto queued = reads_.queued_calls(org_id);
  if (!queued) return queued.error();
  for (const Call& c : *queued) {
    auto refused = refused_by(c);
    if (!refused) return refused.error();
    for (const auto& s : free) {
      if (may_offer(s, c, *refused)) takers.insert(s.id);
    }
  }
  return takers;
}

CallQueue::Promotion CallQueue::promote_to(const Call& c, const std::string& staff_id) {
  const std::int64_t now = ctx_.clock.now_ms();
  storage::TransitionRequest r;
  r.ring_deadline_ms = now + ctx_.timings.ring_timeout_ms;
  std::optional<std::int64_t> until;
  if (ctx_.timings.routing == call::RoutingMode::kLongestIdle) {
    until = std::min(now + ctx_.timings.ring_step_ms, *r.ring_deadline_ms);
  }
  r.ring = {{staff_id, until}};
  // Of several nodes promoting at once, the conditional UPDATE lets exactly one through.
  auto moved = transitions_.apply(c, call::CallEvent::kPromote, r);
  if (!moved) {
    // Still queued: the call could move, the staff member could not take it.
    const auto& details = moved.error().details;
    const auto state = details.find("state");
    const bool queued = state != details.end() && state->second == "queued";
    return queued ? Promotion::kStaffTaken : Promotion::kNotQueued;
  }
  router_.ring(*moved, {staff_id});
  if (until) timers_.schedule_ring_step(c.org_id, moved->id, staff_id, *until);
  return Promotion::kPromoted;
}

void CallQueue::changed(const std::string& org_id) {
  Flush& f = flushes_[org_id];
  if (f.scheduled) return;
  f.scheduled = true;
  const std::int64_t at = std::max(ctx_.clock.now_ms(), f.last_ms + kQueueUpdateEveryMs);
  ctx_.scheduler.schedule_at(at, [this, org_id] { flush(org_id); });
}

std::vector<CallQueue::Spot> CallQueue::spots_of(const std::string& org_id,
                                                 const std::vector<Call>& queued) {
  std::vector<Spot> spots(queued.size());
  if (queued.empty()) return spots;
  const SpotInputs inputs{staff_of(org_id), recent_handle_times_ms(org_id)};
  for (std::size_t i = 0; i < queued.size(); ++i) spots[i] = spot_at(queued, i, inputs);
  return spots;
}

CallQueue::Spot CallQueue::spot_at(const std::vector<Call>& queued, std::size_t i,
                                   const SpotInputs& inputs) const {
  const Call& c = queued[i];
  // Ahead of it: the earlier calls its staff would take first (any call without a topic, and
  // those of its own topic).
  int ahead = 0;
  for (std::size_t j = 0; j < i; ++j) {
    if (!c.topic || !queued[j].topic || queued[j].topic == c.topic) ++ahead;
  }
  call::QueueEstimateInput in;
  in.position = ahead + 1;
  if (inputs.staff) {
    const auto& staff = *inputs.staff;
    in.serving_staff = static_cast<int>(std::count_if(
        staff.begin(), staff.end(), [&](const auto& e) { return ready_for(e) && may_take(e, c); }));
  }
  in.recent_handle_times_ms = inputs.handle_times_ms;
  in.wrap_up_ms = ctx_.timings.wrap_up_ms;
  return {in.position, call::estimate_wait_s(in)};
}

std::vector<std::int64_t> CallQueue::recent_handle_times_ms(const std::string& org_id) {
  // An estimate in whole seconds does not need calls that ended within the last second, and a
  // full queue asks for it on every create and promotion.
  constexpr std::int64_t kReadEveryMs = 1000;
  const std::int64_t now = ctx_.clock.now_ms();
  HandleTimes& known = handle_times_[org_id];
  if (known.read_at_ms == 0 || now - known.read_at_ms >= kReadEveryMs) {
    if (auto read = ctx_.store.recent_handle_times_ms(org_id, call::kEstimateSample)) {
      known.ms = std::move(*read);
      known.read_at_ms = now;
    }
  }
  return known.ms;
}

void CallQueue::flush(const std::string& org_id) {
  Flush& f = flushes_[org_id];
  f.scheduled = false;
  f.last_ms = ctx_.clock.now_ms();
  auto queued = reads_.queued_calls(org_id);
  if (!queued) return;
  const auto spots = spots_of(org_id, *queued);
  // Only the calls queued now are remembered: those that left, here or on another node, go.
  std::unordered_map<std::string, Spot> before = std::move(told_[org_id]);
  auto& told = told_[org_id];
  told.clear();
  for (std::size_t i = 0; i < queued->size(); ++i) {
    const Call& c = (*queued)[i];
    told[c.id] = spots[i];
    auto heard = before.find(c.id);
    if (heard != before.end() && heard->second == spots[i]) continue;
    boost::json::value estimate = nullptr;
    if (spots[i].estimate) estimate = *spots[i].estimate;
    announcer_.publish(org_id, {c.caller.id},
                       {{"type", "queue.updated"},
                        {"call_id", c.id},
                        {"position", spots[i].position},
                        {"estimated_wait_s", estimate}});
  }
  if (queued->empty()) {
    flushes_.erase(org_id);
    told_.erase(org_id);
    handle_times_.erase(org_id);
  }
}

void CallQueue::place(Call& c) {
  if (c.state != CallState::kQueued) return;
  auto queued = reads_.queued_calls(c.org_id);
  if (!queued) return;
  auto mine =
      std::find_if(queued->begin(), queued->end(), [&](const Call& q) { return q.id == c.id; });
  if (mine == queued->end()) return;
  const SpotInputs inputs{staff_of(c.org_id), recent_handle_times_ms(c.org_id)};
  const Spot spot = spot_at(*queued, static_cast<std::size_t>(mine - queued->begin()), inputs);
  c.queue = call::QueueSpot{spot.position, spot.estimate};
}

Result<std::vector<Call>> CallQueue::list(const Principal& user) {
  if (!is_staff(user)) return call::make_error(call::ErrorCode::kForbidden);
  auto queued = reads_.queued_calls(user.org_id);
  if (!queued) return queued.error();
  const auto spots = spots_of(user.org_id, *queued);
  for (std::size_t i = 0; i < queued->size(); ++i) {
    (*queued)[i].queue = call::QueueSpot{spots[i].position, spots[i].estimate};
  }
  return queued;
}

}  // namespace sb::service
