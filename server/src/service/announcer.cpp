#include "service/announcer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "obs/log.hpp"
#include "service/call_json.hpp"
#include "service/call_timers.hpp"
#include "service/queue_wait.hpp"

namespace sb::service {

void Announcer::publish(const std::string& org_id, std::vector<std::string> users,
                        const boost::json::object& message) {
  if (const auto* type = message.if_contains("type"); type && type->is_string()) {
    ctx_.observer.on_event(type->as_string());
  }
  std::sort(users.begin(), users.end());
  users.erase(std::unique(users.begin(), users.end()), users.end());
  ctx_.bus.publish(
      bus::Delivery{org_id, std::move(users), std::nullopt, boost::json::serialize(message)});
}

void Announcer::announce(const Call& c, call::CallState from,
                         const std::vector<storage::Participant>& participants,
                         const std::optional<storage::CallQuality>& quality) {
  obs::log_info("call.transition", {{"call_id", c.id},
                                    {"org", c.org_id},
                                    {"from", call::to_string(from)},
                                    {"to", call::to_string(c.state)},
                                    {"version", c.version},
                                    {"staff", c.staff ? c.staff->id : ""},
                                    {"end_reason", c.end_reason.value_or("")}});
  ctx_.observer.on_transition(c, from);
  if (const auto waited =
          settled_queue_wait_s(c, from, ctx_.timings.ring_timeout_ms, ctx_.clock.now_ms())) {
    ctx_.observer.on_queue_wait(*waited);
  }
  if (from == call::CallState::kQueued || c.state == call::CallState::kQueued) {
    announce_queue_changed(c.org_id);
  }
  // docs/asyncapi.yaml: the caller, the accepted staff member and every staff member rung for the
  // call.
  std::vector<std::string> users{c.caller.id};
  if (c.staff) users.push_back(c.staff->id);
  for (const auto& p : participants) users.push_back(p.staff_id);
  publish(c.org_id, std::move(users),
          {{"type", "call.updated"}, {"call", call_for_wire(c, quality)}});
}

void Announcer::announce_queue_changed(const std::string& org_id) {
  bus::Delivery delivery{org_id, {}, std::nullopt, {}};
  delivery.queue_changed = true;
  ctx_.bus.publish(delivery);
}

void Announcer::announce_staff(const std::string& org_id,
                               const std::vector<std::string>& staff_ids) {
  if (staff_ids.empty()) return;
  const std::int64_t now = ctx_.clock.now_ms();
  const std::int64_t grace = ctx_.timings.presence_grace_ms;
  // One read for the lot: ringing N staff changes N rows at once.
  std::vector<storage::StaffEntry> entries;
  if (staff_ids.size() == 1) {
    auto entry = ctx_.store.find_staff(org_id, staff_ids.front(), now, grace);
    if (!entry || !*entry) return;
    entries.push_back(std::move(**entry));
  } else {
    auto all = ctx_.store.list_staff(org_id, now, grace);
    if (!all) return;
    const std::set<std::string> wanted(staff_ids.begin(), staff_ids.end());
    for (auto& e : *all) {
      if (wanted.contains(e.id)) entries.push_back(std::move(e));
    }
  }
  for (const auto& entry : entries) {
    ctx_.hot.update_staff(org_id, entry);
    const std::string& id = entry.id;
    // docs/asyncapi.yaml: the staff member's own connections hear of it at once; the org's boards
    // get the row in their next coalesced board.updated.
    std::string row = boost::json::serialize(staff_to_json(entry));
    ctx_.observer.on_event("availability.updated");
    std::string payload = R"({"type":"availability.updated","staff":)" + row + "}";
    ctx_.bus.publish(
        bus::Delivery{org_id, {id}, bus::BoardEntry{id, std::move(row)}, std::move(payload)});
  }
}

void Announcer::push_ice_servers(const std::string& org_id, const std::string& call_id) {
  auto c = reads_.find_call(org_id, call_id);
  if (!c || !*c || call::is_terminal((*c)->state) || !(*c)->staff) return;
  const Call& call = **c;
  const std::int64_t now = ctx_.clock.now_ms();
  for (const auto& user_id : {call.caller.id, call.staff->id}) {
    auto message = ice_servers_for(user_id, call.ice_profile);
    message["type"] = "ice_servers";
    publish(org_id, {user_id}, message);
  }
  // docs/asyncapi.yaml: again every half TURN lifetime while the call is not terminal.
  timers_.schedule_ice_refresh(org_id, call_id,
                               now + std::max<std::int64_t>(ctx_.ice.turn_ttl_ms / 2, 1000));
}

boost::json::object Announcer::ice_servers_for(const std::string& user_id,
                                               const std::optional<std::string>& profile) const {
  return ice_servers_json(ctx_.ice, profile, user_id, ctx_.clock.now_ms());
}

}  // namespace sb::service
