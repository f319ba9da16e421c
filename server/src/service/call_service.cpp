#include "service/call_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "obs/log.hpp"
#include "service/call_json.hpp"
#include "service/ops_summary.hpp"
#include "util/ids.hpp"

namespace sb::service {
namespace {

using auth::Role;
using call::CallEvent;
using call::CallState;
using call::ErrorCode;
using call::make_error;
using storage::RingOutcome;

bool is_staff(const Principal& user) {
  return user.role != Role::kClient;
}

call::Error invalid_transition(const Call& c) {
  auto error = make_error(ErrorCode::kInvalidTransition);
  error.details["state"] = std::string(call::to_string(c.state));
  return error;
}

bool is_participant(const Principal& user, const Call& c) {
  return c.caller.id == user.user_id || (c.staff && c.staff->id == user.user_id);
}

std::string user_key(const std::string& org_id, const std::string& user_id) {
  return org_id + "/" + user_id;
}

/// With several nodes, how long a remembered live call is trusted before it is read again.
constexpr std::int64_t kLiveCallRecheckMs = 1000;

}  // namespace

CallService::CallService(storage::Store& store, bus::Bus& bus, Scheduler& scheduler,
                         const Clock& clock, CallTimings timings, IceConfig ice,
                         CallObserver* observer)
    : store_(store),
      bus_(bus),
      scheduler_(scheduler),
      clock_(clock),
      timings_(std::move(timings)),
      ice_(std::move(ice)),
      observer_(observer ? observer : &default_observer_),
      hot_(timings_.single_node) {}

// --- Reads, from memory where it holds them ---

Result<std::optional<Call>> CallService::find_call(const std::string& org_id,
                                                   const std::string& call_id) {
  if (const Call* known = hot_.find_call(org_id, call_id)) return std::optional<Call>(*known);
  auto found = store_.find_call(org_id, call_id);
  // One node: every open call is in memory, so one found here has ended (or another org's).
  if (found && *found && !call::is_terminal((*found)->state)) hot_.put_call(**found);
  return found;
}

Result<std::optional<std::string>> CallService::open_call_of_caller(const Principal& caller) {
  if (hot_.enabled()) return hot_.open_call_of_caller(caller.org_id, caller.user_id);
  auto open = store_.open_calls_of_user(caller.org_id, caller.user_id);
  if (!open) return open.error();
  for (const auto& c : *open) {
    if (c.caller.id == caller.user_id) return std::optional<std::string>(c.id);
  }
  return std::optional<std::string>();
}

Result<std::vector<storage::Participant>> CallService::participants_of(const std::string& call_id) {
  if (const auto* known = hot_.participants(call_id)) return *known;
  auto parts = store_.participants(call_id);
  if (parts) hot_.set_participants(call_id, *parts);
  return parts;
}

// --- Timers ---

void CallService::schedule_user_timer(const std::string& key, std::int64_t at_ms,
                                      std::function<void()> fn) {
  cancel_timer(key);
  timers_[key] = scheduler_.schedule_at(at_ms, [this, key, fn = std::move(fn)] {
    timers_.erase(key);
    fn();
  });
}

void CallService::cancel_timer(const std::string& key) {
  auto it = timers_.find(key);
  if (it == timers_.end()) return;
  scheduler_.cancel(it->second);
  timers_.erase(it);
}

void CallService::cancel_call_timers(const std::string& call_id) {
  cancel_timer("ring:" + call_id);
  cancel_timer("connect:" + call_id);
  cancel_timer("ice:" + call_id);
  const std::string step_prefix = "step:" + call_id + ":";
  for (auto it = timers_.lower_bound(step_prefix);
       it != timers_.end() && it->first.starts_with(step_prefix);) {
    scheduler_.cancel(it->second);
    it = timers_.erase(it);
  }
}

void CallService::schedule_ring_timeout(const std::string& org_id, const std::string& call_id,
                                        std::int64_t at_ms) {
  schedule_user_timer("ring:" + call_id, at_ms,
                      [this, org_id, call_id] { on_ring_timeout(org_id, call_id); });
}

void CallService::schedule_connect_timeout(const std::string& org_id, const std::string& call_id,
                                           std::int64_t at_ms) {
  schedule_user_timer("connect:" + call_id, at_ms,
                      [this, org_id, call_id] { on_connect_timeout(org_id, call_id); });
}

void CallService::schedule_ring_step(const std::string& org_id, const std::string& call_id,
                                     const std::string& staff_id, std::int64_t at_ms) {
  schedule_user_timer("step:" + call_id + ":" + staff_id, at_ms, [this, org_id, call_id, staff_id] {
    on_ring_step_end(org_id, call_id, staff_id);
  });
}

void CallService::schedule_wrap_up_end(const std::string& org_id, const std::string& staff_id,
                                       std::int64_t at_ms) {
  schedule_user_timer("wrapup:" + user_key(org_id, staff_id), at_ms, [this, org_id, staff_id] {
    announce_staff(org_id, {staff_id});
    reroute_org(org_id);
  });
}

// --- Recovery and sweeping ---

Result<void> CallService::recover() {
  const std::int64_t now = clock_.now_ms();
  // CONTRACT 10.17: nobody is dropped for the time the server was down.
  if (auto r = store_.presence_reset(timings_.node_id, now); !r) return r.error();
  auto ringing = store_.ringing_calls();
  if (!ringing) return ringing.error();
  for (const auto& ref : *ringing) schedule_ring_timeout(ref.org_id, ref.call_id, ref.deadline_ms);
  auto accepted = store_.accepted_calls();
  if (!accepted) return accepted.error();
  for (const auto& ref : *accepted) {
    schedule_connect_timeout(ref.org_id, ref.call_id,
                             ref.deadline_ms + timings_.connect_timeout_ms);
  }
  auto steps = store_.open_ring_steps();
  if (!steps) return steps.error();
  for (const auto& s : *steps) schedule_ring_step(s.org_id, s.call_id, s.staff_id, s.ring_until_ms);
  // Staff still in wrap-up: when it ends they are announced idle and rung for waiting calls.
  auto wrap_ups = store_.wrap_ups_after(now);
  if (!wrap_ups) return wrap_ups.error();
  for (const auto& w : *wrap_ups) schedule_wrap_up_end(w.org_id, w.staff_id, w.until_ms);
  // Every participant of an open call gets the grace again, from now.
  auto open = store_.open_calls();
  if (!open) return open.error();
  for (const auto& ref : *open) {
    auto c = find_call(ref.org_id, ref.call_id);
    if (!c || !*c) continue;
    const Call call = **c;
    std::vector<std::string> users{call.caller.id};
    if (call.staff) users.push_back(call.staff->id);
    // Staff it still rings for: their rings are withdrawn if they do not come back in time.
    if (auto parts = participants_of(call.id)) {
      for (const auto& p : *parts) {
        if (p.outcome == RingOutcome::kRinging) users.push_back(p.staff_id);
      }
    }
    for (const auto& user_id : users) {
      const bool staff = user_id != call.caller.id;
      if (auto present = store_.ever_connected(call.org_id, user_id); present && *present) {
        schedule_user_timer(
            "presence:" + user_key(call.org_id, user_id), now + timings_.presence_grace_ms + 1,
            [this, org = call.org_id, user_id, staff] { on_presence_grace(org, user_id, staff); });
        schedule_user_timer(
            "reconnect:" + user_key(call.org_id, user_id), now + timings_.reconnect_grace_ms + 1,
            [this, org = call.org_id, user_id] { on_reconnect_grace(org, user_id); });
      }
    }
    if (call.state != CallState::kRinging) push_ice_servers(call.org_id, call.id);
  }
  obs::log_info(
      "service.recovered",
      {{"ringing", ringing->size()}, {"accepted", accepted->size()}, {"open", open->size()}});
  return {};
}

void CallService::sweep() {
  const std::int64_t now = clock_.now_ms();
  forget_stale_live_calls(now);
  if (auto ringing = store_.ringing_calls()) {
    for (const auto& ref : *ringing) {
      if (ref.deadline_ms <= now) on_ring_timeout(ref.org_id, ref.call_id);
    }
  }
  if (auto accepted = store_.accepted_calls()) {
    for (const auto& ref : *accepted) {
      if (ref.deadline_ms + timings_.connect_timeout_ms <= now) {
        on_connect_timeout(ref.org_id, ref.call_id);
      }
    }
  }
  if (auto steps = store_.open_ring_steps()) {
    for (const auto& s : *steps) {
      if (s.ring_until_ms <= now) on_ring_step_end(s.org_id, s.call_id, s.staff_id);
    }
  }
}

// --- Announcing ---

void CallService::publish(const std::string& org_id, std::vector<std::string> users,
                          const boost::json::object& message) {
  if (const auto* type = message.if_contains("type"); type && type->is_string()) {
    observer_->on_event(type->as_string());
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  bus_.publish(
      bus::Delivery{org_id, std::move(users), std::nullopt, boost::json::serialize(message)});
}

void CallService::announce(const Call& c, CallState from,
                           const std::vector<storage::Participant>& participants) {
  obs::log_info("call.transition", {{"call_id", c.id},
                                    {"org", c.org_id},
                                    {"from", call::to_string(from)},
                                    {"to", call::to_string(c.state)},
                                    {"version", c.version},
                                    {"staff", c.staff ? c.staff->id : ""},
                                    {"end_reason", c.end_reason.value_or("")}});
  observer_->on_transition(c, from);
  // CONTRACT 5: the caller, the accepted staff member and every staff member rung for the call.
  std::vector<std::string> users{c.caller.id};
  if (c.staff) users.push_back(c.staff->id);
  for (const auto& p : participants) users.push_back(p.staff_id);
  publish(c.org_id, std::move(users), {{"type", "call.updated"}, {"call", render(c)}});
}

void CallService::announce_staff(const std::string& org_id,
                                 const std::vector<std::string>& staff_ids) {
  if (staff_ids.empty()) return;
  const std::int64_t now = clock_.now_ms();
  // One read for the lot: ringing N staff changes N rows at once.
  std::vector<storage::StaffEntry> entries;
  if (staff_ids.size() == 1) {
    auto entry = store_.find_staff(org_id, staff_ids.front(), now, timings_.presence_grace_ms);
    if (!entry || !*entry) return;
    entries.push_back(std::move(**entry));
  } else {
    auto all = store_.list_staff(org_id, now, timings_.presence_grace_ms);
    if (!all) return;
    const std::set<std::string> wanted(staff_ids.begin(), staff_ids.end());
    for (auto& e : *all) {
      if (wanted.contains(e.id)) entries.push_back(std::move(e));
    }
  }
  for (const auto& entry : entries) {
    hot_.update_staff(org_id, entry);
    const std::string& id = entry.id;
    // CONTRACT 11.1: the staff member's own connections hear of it at once; the org's boards
    // get the row in their next coalesced board.updated.
    std::string row = boost::json::serialize(staff_to_json(entry));
    observer_->on_event("availability.updated");
    std::string payload = R"({"type":"availability.updated","staff":)" + row + "}";
    bus_.publish(
        bus::Delivery{org_id, {id}, bus::BoardEntry{id, std::move(row)}, std::move(payload)});
  }
}

void CallService::push_ice_servers(const std::string& org_id, const std::string& call_id) {
  auto c = find_call(org_id, call_id);
  if (!c || !*c || call::is_terminal((*c)->state) || !(*c)->staff) return;
  const Call& call = **c;
  const std::int64_t now = clock_.now_ms();
  for (const auto& user_id : {call.caller.id, call.staff->id}) {
    auto message = ice_servers_for(user_id);
    message["type"] = "ice_servers";
    publish(org_id, {user_id}, message);
  }
  // CONTRACT 10.14: again every half TURN lifetime while the call is not terminal.
  schedule_user_timer("ice:" + call_id, now + std::max<std::int64_t>(ice_.turn_ttl_ms / 2, 1000),
                      [this, org_id, call_id] { push_ice_servers(org_id, call_id); });
}

boost::json::object CallService::ice_servers_for(const std::string& user_id) const {
  return ice_servers_json(ice_, user_id, clock_.now_ms());
}

// --- Routing ---

Result<std::vector<call::StaffCandidate>> CallService::ringable_staff(const std::string& org_id) {
  if (const auto* staff = hot_.staff_of(org_id)) return candidates_from(*staff);
  auto listed = store_.list_staff(org_id, clock_.now_ms(), timings_.presence_grace_ms);
  if (!listed) return listed.error();
  hot_.put_staff_list(org_id, *listed);  // Kept with one node only.
  return candidates_from(*listed);
}

std::vector<call::StaffCandidate> CallService::candidates_from(
    const std::vector<storage::StaffEntry>& staff) const {
  std::vector<call::StaffCandidate> out;
  for (const auto& s : staff) {
    const bool free = s.state == call::StaffState::kIdle || s.state == call::StaffState::kRinging;
    if (s.status == call::StaffStatus::kAvailable && s.connected && free) {
      out.push_back({s.id, s.name, s.idle_since_ms});
    }
  }
  return out;
}

void CallService::ring(const Call& c, const std::vector<std::string>& staff_ids) {
  if (staff_ids.empty()) return;
  publish(c.org_id, staff_ids, {{"type", "call.incoming"}, {"call", call_to_json(c)}});
  announce_staff(c.org_id, staff_ids);
}

void CallService::reroute(const std::string& org_id, const std::string& call_id) {
  auto found = find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kRinging) return;
  const Call c = **found;
  auto parts = participants_of(call_id);
  if (!parts) return;
  std::set<std::string> already;
  bool someone_ringing = false;
  bool all_declined = !parts->empty();
  for (const auto& p : *parts) {
    // Staff whose ring was withdrawn while they were offline are rung again once back. Staff
    // whose ring stopped when they took another call are not: ringing every freed staff member
    // for every waiting call is a thundering herd under load (docs/decisions/0004); offering
    // them the oldest waiting call is the queue's job (CONTRACT 11.2).
    if (p.outcome != RingOutcome::kWithdrawn) already.insert(p.staff_id);
    someone_ringing |= p.outcome == RingOutcome::kRinging;
    all_declined &= p.outcome == RingOutcome::kDeclined;
  }
  auto candidates = ringable_staff(org_id);
  if (!candidates) return;  // The sweeper and the next availability change try again.
  auto chosen = call::choose_staff_to_ring(timings_.routing, *candidates, c.requested_staff_id,
                                           already, someone_ringing);
  if (!chosen.empty()) {
    const std::int64_t now = clock_.now_ms();
    std::vector<storage::RingTarget> targets;
    std::optional<std::int64_t> until;
    if (timings_.routing == call::RoutingMode::kLongestIdle) {
      until = std::min(now + timings_.ring_step_ms, c.ring_deadline_ms);
    }
    for (const auto& s : chosen) targets.push_back({s.id, until});
    auto added = store_.add_ring_targets(org_id, call_id, targets, now);
    hot_.participants_changed(call_id);
    if (!added) return;
    ring(c, *added);
    if (until) {
      for (const auto& id : *added) schedule_ring_step(org_id, call_id, id, *until);
    }
    return;
  }
  if (!someone_ringing && all_declined) {
    storage::TransitionRequest r;
    r.ringing_outcome = RingOutcome::kDeclined;
    (void)apply(c, CallEvent::kAllDeclined, r);
  }
}

void CallService::reroute_org(const std::string& org_id) {
  if (hot_.enabled()) {
    for (const auto& id : hot_.ringing_calls_of(org_id)) reroute(org_id, id);
    return;
  }
  auto ringing = store_.ringing_calls();
  if (!ringing) return;
  for (const auto& ref : *ringing) {
    if (ref.org_id == org_id) reroute(org_id, ref.call_id);
  }
}

// --- Transitions ---

Result<Call> CallService::apply(const Call& c, CallEvent event, storage::TransitionRequest r) {
  auto transition = call::next_transition(c.state, event);
  if (!transition) return invalid_transition(c);
  r.org_id = c.org_id;
  r.call_id = c.id;
  r.from = {c.state};
  r.to = transition->to;
  if (!r.end_reason && transition->end_reason) r.end_reason = std::string(*transition->end_reason);
  r.now_ms = clock_.now_ms();
  r.max_missed = timings_.max_missed;
  r.wrap_up_ms = timings_.wrap_up_ms;
  auto outcome = store_.transition(r);
  if (!outcome) return outcome.error();
  if (!outcome->call) {
    // Someone else moved it first (or, for an accept, this staff member is no longer rung for
    // it): answer from what the database holds now.
    auto now = store_.find_call(c.org_id, c.id);
    if (!now) return now.error();
    if (!*now) return make_error(ErrorCode::kNotFound);
    if (call::is_terminal((*now)->state)) {
      hot_.drop_call(c.id);
    } else {
      hot_.put_call(**now);
      hot_.participants_changed(c.id);
    }
    return invalid_transition(**now);
  }
  const Call& moved = *outcome->call;
  const bool terminal = call::is_terminal(moved.state);
  for (const auto& other : outcome->rings_stopped) hot_.participants_changed(other);
  if (terminal) {
    cancel_call_timers(moved.id);
    live_calls_.erase(moved.id);
  } else {
    hot_.put_call(moved, outcome->participants);
    if (moved.state == CallState::kAccepted || moved.state == CallState::kActive) {
      remember_live(moved);
    }
  }
  if (moved.state != CallState::kRinging) cancel_timer("ring:" + moved.id);
  announce(moved, c.state, outcome->participants);
  if (terminal) hot_.drop_call(moved.id);
  announce_staff(moved.org_id, outcome->staff_changed);
  if (moved.state == CallState::kAccepted) {
    schedule_connect_timeout(moved.org_id, moved.id,
                             *moved.accepted_at_ms + timings_.connect_timeout_ms);
    push_ice_servers(moved.org_id, moved.id);
  }
  if (moved.state == CallState::kActive) cancel_timer("connect:" + moved.id);
  if (moved.state == CallState::kFailed) observer_->on_ice_result("failed", "unknown");
  if (call::is_terminal(moved.state) && moved.staff && timings_.wrap_up_ms > 0) {
    schedule_wrap_up_end(moved.org_id, moved.staff->id, r.now_ms + timings_.wrap_up_ms);
  }
  // Staff this move frees may be wanted by calls still ringing. With ring-all, staff who were
  // ringing stay rung for the other calls anyway; only the end of a live call frees someone
  // (wrap-up has its own timer). With longest-idle, any move may leave a call nobody rings.
  const bool freed_from_call =
      call::is_terminal(moved.state) && c.state != CallState::kRinging && timings_.wrap_up_ms == 0;
  if (freed_from_call ||
      (timings_.routing == call::RoutingMode::kLongestIdle && moved.state != CallState::kActive)) {
    reroute_org(moved.org_id);
  }
  return moved;
}

void CallService::on_ring_timeout(const std::string& org_id, const std::string& call_id) {
  auto found = find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kRinging) return;
  const Call& c = **found;
  const std::int64_t now = clock_.now_ms();
  if (now < c.ring_deadline_ms) {  // A timer woke early (clock adjusted): set it again.
    schedule_ring_timeout(org_id, call_id, c.ring_deadline_ms);
    return;
  }
  storage::TransitionRequest r;
  r.ringing_outcome = RingOutcome::kMissed;
  if (apply(c, CallEvent::kRingTimeout, r)) {
    observer_->on_ring_timeout_lateness(static_cast<double>(now - c.ring_deadline_ms) / 1000.0);
  }
}

void CallService::on_connect_timeout(const std::string& org_id, const std::string& call_id) {
  auto found = find_call(org_id, call_id);
  if (!found || !*found || (*found)->state != CallState::kAccepted) return;
  (void)apply(**found, CallEvent::kConnectTimeout, {});
}

void CallService::on_ring_step_end(const std::string& org_id, const std::string& call_id,
                                   const std::string& staff_id) {
  auto ended =
      store_.end_ring_step(org_id, call_id, staff_id, clock_.now_ms(), timings_.max_missed);
  if (!ended || !*ended) return;
  hot_.participants_changed(call_id);
  announce_staff(org_id, {staff_id});
  reroute(org_id, call_id);
}

// --- Commands ---

Result<CreateCallResult> CallService::create_call(const Principal& user,
                                                  const CreateCallRequest& request) {
  if (user.role != Role::kClient) {
    return make_error(ErrorCode::kForbidden, "Only clients can place calls.");
  }
  if (request.idempotency_key) {
    auto earlier =
        store_.find_call_by_idempotency_key(user.org_id, user.user_id, *request.idempotency_key);
    if (!earlier) return earlier.error();
    if (*earlier) return CreateCallResult{**earlier, false};
  }
  auto open = open_call_of_caller(user);
  if (!open) return open.error();
  if (*open) {
    auto error = make_error(ErrorCode::kCallInProgress);
    error.details["call_id"] = **open;
    return error;
  }
  // A storage failure here is `unavailable`, not "nobody can be rung".
  auto candidates = ringable_staff(user.org_id);
  if (!candidates) return candidates.error();
  auto chosen =
      call::choose_staff_to_ring(timings_.routing, *candidates, request.staff_id, {}, false);
  if (chosen.empty()) return make_error(ErrorCode::kNoStaffAvailable);

  const std::int64_t now = clock_.now_ms();
  Call c;
  c.id = random_id("call_");
  c.org_id = user.org_id;
  c.state = CallState::kRinging;
  c.version = 1;
  c.caller = {user.user_id, user.name};
  c.media = request.media;
  c.metadata = request.metadata;
  c.created_at_ms = now;
  c.ring_deadline_ms = now + timings_.ring_timeout_ms;
  c.requested_staff_id = request.staff_id;
  std::optional<std::int64_t> until;
  if (timings_.routing == call::RoutingMode::kLongestIdle) {
    until = std::min(now + timings_.ring_step_ms, c.ring_deadline_ms);
  }
  std::vector<storage::RingTarget> targets;
  std::vector<std::string> staff_ids;
  for (const auto& s : chosen) {
    targets.push_back({s.id, until});
    staff_ids.push_back(s.id);
  }
  auto created = store_.create_call(c, targets, request.idempotency_key);
  if (!created) return created.error();
  if (!created->created) return CreateCallResult{created->call, false};
  const Call& stored = created->call;
  std::vector<storage::Participant> rung;
  for (const auto& t : targets) {
    rung.push_back({t.staff_id, now, t.ring_until_ms, RingOutcome::kRinging});
  }
  std::sort(rung.begin(), rung.end(),
            [](const auto& a, const auto& b) { return a.staff_id < b.staff_id; });
  hot_.put_call(stored, std::move(rung));
  observer_->on_created(stored);
  obs::log_info("call.created", {{"call_id", stored.id},
                                 {"org", stored.org_id},
                                 {"caller", stored.caller.id},
                                 {"rung", staff_ids.size()}});
  schedule_ring_timeout(stored.org_id, stored.id, stored.ring_deadline_ms);
  if (until) {
    for (const auto& id : staff_ids) schedule_ring_step(stored.org_id, stored.id, id, *until);
  }
  publish(stored.org_id, {stored.caller.id},
          {{"type", "call.updated"}, {"call", call_to_json(stored)}});
  ring(stored, staff_ids);
  return CreateCallResult{stored, true};
}

Result<Call> CallService::load_visible(const Principal& user, const std::string& call_id) {
  auto found = find_call(user.org_id, call_id);
  if (!found) return found.error();
  // CONTRACT 1: another org's call answers not_found, so existence does not leak.
  if (!*found) return make_error(ErrorCode::kNotFound);
  return **found;
}

Result<Call> CallService::get_call(const Principal& user, const std::string& call_id) {
  auto c = load_visible(user, call_id);
  if (!c) return c;
  if (user.role == Role::kClient && c->caller.id != user.user_id) {
    return make_error(ErrorCode::kForbidden);
  }
  return c;
}

Result<storage::CallPage> CallService::list_calls(const Principal& user, storage::CallQuery query) {
  query.org_id = user.org_id;
  if (user.role == Role::kClient) query.caller_id = user.user_id;
  return store_.list_calls(query);
}

Result<Call> CallService::accept(const Principal& user, const std::string& call_id) {
  auto c = load_visible(user, call_id);
  if (!c) return c;
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  auto parts = participants_of(call_id);
  if (!parts) return parts.error();
  auto mine = std::find_if(parts->begin(), parts->end(),
                           [&](const auto& p) { return p.staff_id == user.user_id; });
  // CONTRACT 10.7: a staff member who was not rung may not accept.
  if (mine == parts->end()) return make_error(ErrorCode::kForbidden);
  if (mine->outcome != RingOutcome::kRinging) {
    // Another node may have moved the call between the two reads above (the participants were
    // updated in the same transaction as the call): read the call again, so it is at least as
    // new as the ring outcome.
    auto fresh = find_call(user.org_id, call_id);
    if (!fresh) return fresh.error();
    if (*fresh) c = **fresh;
  }
  // CONTRACT 10.6: only the winner's repeat is answered 200, while the call is still live.
  auto mine_and_live = [&](const Call& call) {
    return call.staff && call.staff->id == user.user_id && !call::is_terminal(call.state);
  };
  if (mine_and_live(*c)) return c;
  if (c->state == CallState::kRinging && mine->outcome == RingOutcome::kRinging) {
    storage::TransitionRequest r;
    r.accepting_staff = call::Person{user.user_id, user.name};
    auto moved = apply(*c, CallEvent::kAccept, r);
    if (moved) return moved;
    // Lost the compare-and-swap: say who won if someone did.
    auto now = find_call(user.org_id, call_id);
    if (now && *now) c = **now;
  }
  if (mine_and_live(*c)) return c;
  if (c->staff && c->staff->id != user.user_id) {
    observer_->on_accept_conflict();
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

Result<Call> CallService::decline(const Principal& user, const std::string& call_id) {
  auto c = load_visible(user, call_id);
  if (!c) return c;
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  auto outcome = store_.decline(user.org_id, call_id, user.user_id, clock_.now_ms());
  if (!outcome) return outcome.error();
  hot_.participants_changed(call_id);
  if (!outcome->declined) {
    auto parts = participants_of(call_id);
    if (!parts) return parts.error();
    auto mine = std::find_if(parts->begin(), parts->end(),
                             [&](const auto& p) { return p.staff_id == user.user_id; });
    if (mine == parts->end()) return make_error(ErrorCode::kForbidden);
    // A repeated decline while the call still rings changes nothing and is fine.
    if (c->state == CallState::kRinging && mine->outcome == RingOutcome::kDeclined) return c;
    return invalid_transition(*c);
  }
  announce_staff(user.org_id, {user.user_id});
  reroute(user.org_id, call_id);
  auto now = find_call(user.org_id, call_id);
  if (!now) return now.error();
  return now->value_or(*c);
}

Result<Call> CallService::cancel(const Principal& user, const std::string& call_id) {
  auto c = load_visible(user, call_id);
  if (!c) return c;
  if (c->caller.id != user.user_id) return make_error(ErrorCode::kForbidden);
  storage::TransitionRequest r;
  r.ringing_outcome = RingOutcome::kCancelled;
  return apply(*c, CallEvent::kCancel, r);
}

Result<Call> CallService::participant_call(const Principal& user, const std::string& call_id) {
  auto c = load_visible(user, call_id);
  if (!c) return c;
  if (!is_participant(user, *c)) return make_error(ErrorCode::kForbidden);
  return c;
}

Result<Call> CallService::connected(const Principal& user, const std::string& call_id,
                                    const std::optional<std::string>& candidate_type) {
  auto c = participant_call(user, call_id);
  if (!c) return c;
  // Both sides report media connected; the second report finds the call active already.
  if (c->state == CallState::kActive) return c;
  auto moved = apply(*c, CallEvent::kConnected, {});
  if (moved) observer_->on_ice_result("connected", candidate_type.value_or("unknown"));
  return moved;
}

Result<void> CallService::add_quality(const Principal& user, const std::string& call_id,
                                      const storage::QualitySample& sample) {
  auto c = participant_call(user, call_id);
  if (!c) return c.error();
  // Samples race the hang-up by a moment; a minute after the end they are refused.
  const bool live = c->state == CallState::kAccepted || c->state == CallState::kActive;
  const bool just_ended =
      c->state == CallState::kEnded && c->ended_at_ms && clock_.now_ms() - *c->ended_at_ms < 60'000;
  if (!live && !just_ended) return invalid_transition(*c);
  const std::string side = c->caller.id == user.user_id ? "caller" : "staff";
  if (auto r = store_.add_quality_sample(call_id, side, sample); !r) return r.error();
  hot_.count_quality_sample(call_id);
  observer_->on_quality_sample();
  return {};
}

Result<Call> CallService::give_feedback(const Principal& user, const std::string& call_id,
                                        const storage::Feedback& feedback) {
  auto c = participant_call(user, call_id);
  if (!c) return c;
  // CONTRACT 10.6: feedback before the end is an invalid transition.
  if (!call::is_terminal(c->state)) return invalid_transition(*c);
  if (auto r = store_.save_feedback(call_id, user.user_id, feedback, clock_.now_ms()); !r) {
    return r.error();
  }
  return c;
}

Result<boost::json::object> CallService::ops_summary(const Principal& user,
                                                     std::int64_t window_ms) {
  if (user.role != Role::kAdmin) return make_error(ErrorCode::kForbidden);
  const std::int64_t now = clock_.now_ms();
  auto calls = store_.calls_created_since(user.org_id, now - window_ms);
  if (!calls) return calls.error();
  std::vector<CallWithQuality> rows;
  rows.reserve(calls->size());
  for (auto& c : *calls) {
    storage::CallQuality q;
    std::vector<storage::FeedbackEntry> feedback;
    if (c.accepted_at_ms) {
      auto found = store_.quality_of(c.id);
      if (!found) return found.error();
      q = *found;
      auto given = store_.feedback_of(c.id);
      if (!given) return given.error();
      feedback = std::move(*given);
    }
    rows.push_back({std::move(c), std::move(q), std::move(feedback)});
  }
  return summarize_calls(rows, window_ms, now);
}

boost::json::object CallService::render(const Call& c) {
  auto out = call_to_json(c);
  if (call::is_terminal(c.state)) {
    // A call this node knows had no samples has no summary: nothing to read.
    if (auto has = hot_.has_quality(c.id); has && !*has) {
      out["quality"] = quality_to_json(storage::CallQuality{});
      return out;
    }
    auto q = store_.quality_of(c.id);
    out["quality"] = q ? boost::json::value(quality_to_json(*q)) : boost::json::value(nullptr);
  }
  return out;
}

Result<Call> CallService::end(const Principal& user, const std::string& call_id,
                              const std::optional<std::string>& reason) {
  auto c = participant_call(user, call_id);
  if (!c) return c;
  const std::string why = reason.value_or("hangup");
  const bool media_failure = why == "ice_failed" || why == "media_failed";
  storage::TransitionRequest r;
  r.end_reason = why;
  if (media_failure && c->state == CallState::kAccepted) {
    return apply(*c, CallEvent::kMediaFailed, r);
  }
  return apply(*c, CallEvent::kHangup, r);
}

Result<std::vector<storage::StaffEntry>> CallService::list_staff(const Principal& user) {
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  return store_.list_staff(user.org_id, clock_.now_ms(), timings_.presence_grace_ms);
}

Result<storage::StaffEntry> CallService::set_my_status(const Principal& user,
                                                       call::StaffStatus status) {
  if (!is_staff(user)) return make_error(ErrorCode::kForbidden);
  const std::int64_t now = clock_.now_ms();
  if (auto r = store_.upsert_staff(user.org_id, user.user_id, user.name, now); !r) {
    return r.error();
  }
  if (auto r = store_.set_staff_status(user.org_id, user.user_id, status, now); !r) {
    return r.error();
  }
  announce_staff(user.org_id, {user.user_id});
  if (status == call::StaffStatus::kAvailable) reroute_org(user.org_id);
  auto entry = store_.find_staff(user.org_id, user.user_id, now, timings_.presence_grace_ms);
  if (!entry) return entry.error();
  if (!*entry) return make_error(ErrorCode::kUnavailable);
  return **entry;
}

Result<std::string> CallService::signal_peer(const Principal& user, const std::string& call_id) {
  const std::int64_t now = clock_.now_ms();
  auto known = live_calls_.find(call_id);
  const bool usable = known != live_calls_.end() && known->second.org_id == user.org_id;
  const bool fresh =
      usable && (timings_.single_node || now - known->second.checked_at_ms < kLiveCallRecheckMs);
  // The other participant of a remembered call, if `user` is one of the two.
  const auto peer_in = [&](const LiveCall& live) -> std::optional<std::string> {
    if (live.caller_id == user.user_id) return live.staff_id;
    if (live.staff_id == user.user_id) return live.caller_id;
    return std::nullopt;
  };
  if (fresh) {
    if (auto peer = peer_in(known->second)) return *peer;
    return make_error(ErrorCode::kForbidden);
  }
  auto c = participant_call(user, call_id);
  if (!c) {
    // CONTRACT 11.5: a relay stores nothing, so signals of a call we know keep flowing while
    // the database is away.
    if (usable && c.error().code == ErrorCode::kUnavailable) {
      if (auto peer = peer_in(known->second)) return *peer;
    }
    return c.error();
  }
  if (c->state != CallState::kAccepted && c->state != CallState::kActive) {
    live_calls_.erase(call_id);
    return invalid_transition(*c);
  }
  remember_live(*c);
  return c->caller.id == user.user_id ? c->staff->id : c->caller.id;
}

void CallService::remember_live(const Call& c) {
  if (!c.staff) return;
  live_calls_[c.id] = LiveCall{c.org_id, c.caller.id, c.staff->id, clock_.now_ms()};
}

void CallService::forget_stale_live_calls(std::int64_t now_ms) {
  if (timings_.single_node) return;  // Every end passes through apply() here.
  std::erase_if(live_calls_, [&](const auto& entry) {
    return now_ms - entry.second.checked_at_ms > 60 * kLiveCallRecheckMs;
  });
}

Result<std::vector<Call>> CallService::open_calls_of(const Principal& user) {
  return store_.open_calls_of_user(user.org_id, user.user_id);
}

// --- Presence ---

void CallService::connection_opened(const Principal& user) {
  const std::int64_t now = clock_.now_ms();
  auto was_present = store_.is_present(user.org_id, user.user_id, now, timings_.presence_grace_ms);
  if (is_staff(user)) (void)store_.upsert_staff(user.org_id, user.user_id, user.name, now);
  if (!store_.presence_connect(user.org_id, user.user_id, timings_.node_id)) return;
  cancel_timer("presence:" + user_key(user.org_id, user.user_id));
  cancel_timer("reconnect:" + user_key(user.org_id, user.user_id));
  if (is_staff(user) && was_present && !*was_present) {
    announce_staff(user.org_id, {user.user_id});
    reroute_org(user.org_id);
  }
}

void CallService::connection_closed(const Principal& user) {
  const std::int64_t now = clock_.now_ms();
  auto left = store_.presence_disconnect(user.org_id, user.user_id, timings_.node_id, now);
  if (!left || *left > 0) return;
  const std::string key = user_key(user.org_id, user.user_id);
  // +1 ms: the grace has fully passed when the check runs.
  schedule_user_timer("presence:" + key, now + timings_.presence_grace_ms + 1,
                      [this, org = user.org_id, id = user.user_id, staff = is_staff(user)] {
                        on_presence_grace(org, id, staff);
                      });
  schedule_user_timer(
      "reconnect:" + key, now + timings_.reconnect_grace_ms + 1,
      [this, org = user.org_id, id = user.user_id] { on_reconnect_grace(org, id); });
}

void CallService::on_presence_grace(const std::string& org_id, const std::string& user_id,
                                    bool staff) {
  const std::int64_t now = clock_.now_ms();
  auto present = store_.is_present(org_id, user_id, now, timings_.presence_grace_ms);
  if (!present || *present) return;
  if (staff) withdraw_rings(org_id, user_id);
  auto open = store_.open_calls_of_user(org_id, user_id);
  if (!open) return;
  for (const auto& c : *open) {
    // CONTRACT 10.2: a caller gone longer than the grace while ringing has left.
    if (c.caller.id == user_id && c.state == CallState::kRinging) {
      storage::TransitionRequest r;
      r.ringing_outcome = RingOutcome::kCancelled;
      (void)apply(c, CallEvent::kCallerLeft, r);
    }
  }
}

void CallService::withdraw_rings(const std::string& org_id, const std::string& staff_id) {
  // CONTRACT 10.2: staff are rung only while connected. Taking their rings back is no missed
  // ring (10.4); each call moves on to whoever else can be rung, or rings on until its deadline.
  auto withdrawn = store_.withdraw_rings(org_id, staff_id, clock_.now_ms());
  announce_staff(org_id, {staff_id});
  if (!withdrawn) return;
  for (const auto& call_id : *withdrawn) {
    hot_.participants_changed(call_id);
    cancel_timer("step:" + call_id + ":" + staff_id);
    reroute(org_id, call_id);
  }
}

void CallService::on_reconnect_grace(const std::string& org_id, const std::string& user_id) {
  const std::int64_t now = clock_.now_ms();
  auto present = store_.is_present(org_id, user_id, now, timings_.reconnect_grace_ms);
  if (!present || *present) return;
  auto open = store_.open_calls_of_user(org_id, user_id);
  if (!open) return;
  for (const auto& c : *open) {
    const bool participant = c.caller.id == user_id || (c.staff && c.staff->id == user_id);
    if (participant && (c.state == CallState::kAccepted || c.state == CallState::kActive)) {
      (void)apply(c, CallEvent::kParticipantLost, {});
    }
  }
}

}  // namespace sb::service
