#include "call/call_machine.hpp"

#include <array>
#include <boost/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "call/call_fsm_spec.hpp"

namespace sb::call {
namespace {

// The C++ names of the spec's events. Everything else (actors, transitions, effects) comes from
// the spec; loading fails if the two disagree.
constexpr std::array<std::pair<CallEvent, std::string_view>, 14> kEventNames{{
    {CallEvent::kAccept, "accept"},
    {CallEvent::kCancel, "cancel"},
    {CallEvent::kCallerLeft, "caller_left"},
    {CallEvent::kRingTimeout, "ring_timeout"},
    {CallEvent::kAllDeclined, "all_declined"},
    {CallEvent::kConnected, "connected"},
    {CallEvent::kMediaFailed, "media_failed"},
    {CallEvent::kConnectTimeout, "connect_timeout"},
    {CallEvent::kHangup, "hangup"},
    {CallEvent::kParticipantLost, "participant_lost"},
    {CallEvent::kPromote, "promote"},
    {CallEvent::kQueueTimeout, "queue_timeout"},
    {CallEvent::kRequeue, "requeue"},
    {CallEvent::kTransfer, "transfer"},
}};

struct Rule {
  CallEvent event;
  Transition transition;
};

struct Machine {
  std::vector<std::pair<CallEvent, Actor>> actors;
  std::vector<Rule> rules;
  /// Owns the end reasons the rules' string_views point into.
  std::vector<std::string> end_reasons;
};

[[noreturn]] void bad_spec(const std::string& what) {
  throw std::logic_error("spec/call-fsm.json: " + what);
}

std::string_view text_of(const boost::json::value& v) {
  if (!v.is_string()) bad_spec("expected a string");
  return v.get_string();
}

Actor parse_actor(std::string_view s) {
  if (s == "caller") return Actor::kCaller;
  if (s == "rung_staff") return Actor::kRungStaff;
  if (s == "participant") return Actor::kParticipant;
  if (s == "system") return Actor::kSystem;
  bad_spec("unknown actor " + std::string(s));
}

CallState state_named(std::string_view s) {
  auto state = parse_call_state(s);
  if (!state) bad_spec("unknown state " + std::string(s));
  return *state;
}

TimerSet timers_from(const boost::json::object& effects, std::string_view key) {
  TimerSet set;
  if (const auto* list = effects.if_contains(key)) {
    for (const auto& name : list->as_array()) {
      auto kind = parse_timer_kind(text_of(name));
      if (!kind) bad_spec("unknown timer " + std::string(text_of(name)));
      set.add(*kind);
    }
  }
  return set;
}

Effects effects_from(const boost::json::object& o) {
  static constexpr std::array<std::string_view, 8> kKnown{
      "ringing_staff", "accepting_staff",  "staff_wrap_up", "start_timers",
      "stop_timers",   "push_ice_servers", "reroute",       "ring_chosen_staff"};
  for (const auto& entry : o) {
    if (std::find(kKnown.begin(), kKnown.end(), entry.key()) == kKnown.end()) {
      bad_spec("unknown effect " + std::string(entry.key()));
    }
  }
  Effects e;
  if (const auto* v = o.if_contains("ringing_staff")) {
    e.ringing_staff = parse_ring_outcome(text_of(*v));
    if (!e.ringing_staff) bad_spec("unknown ring outcome " + std::string(text_of(*v)));
  }
  e.accepting_staff = o.contains("accepting_staff") && o.at("accepting_staff").as_bool();
  e.staff_wrap_up = o.contains("staff_wrap_up") && o.at("staff_wrap_up").as_bool();
  e.push_ice_servers = o.contains("push_ice_servers") && o.at("push_ice_servers").as_bool();
  e.ring_chosen_staff = o.contains("ring_chosen_staff") && o.at("ring_chosen_staff").as_bool();
  e.start_timers = timers_from(o, "start_timers");
  e.stop_timers = timers_from(o, "stop_timers");
  if (const auto* v = o.if_contains("reroute")) {
    const std::string_view r = text_of(*v);
    if (r == "rings_end") {
      e.reroute = Reroute::kRingsEnd;
    } else if (r == "staff_freed") {
      e.reroute = Reroute::kStaffFreed;
    } else {
      bad_spec("unknown reroute " + std::string(r));
    }
  }
  return e;
}

Machine load() {
  const boost::json::object spec = boost::json::parse(call_fsm_spec_json()).as_object();
  Machine m;
  for (const auto& e : spec.at("events").as_array()) {
    const auto& event = e.as_object();
    auto parsed = parse_call_event(text_of(event.at("name")));
    // "create" and "enqueue" have no from-state; the service runs them itself.
    if (!parsed) continue;
    m.actors.emplace_back(*parsed, parse_actor(text_of(event.at("actor"))));
  }
  const auto& rows = spec.at("transitions").as_array();
  m.end_reasons.reserve(rows.size());  // string_views point in: no reallocation.
  for (const auto& row : rows) {
    const auto& t = row.as_object();
    if (text_of(t.at("from")) == spec.at("initial").as_string()) continue;
    auto event = parse_call_event(text_of(t.at("event")));
    if (!event) bad_spec("unknown event " + std::string(text_of(t.at("event"))));
    Transition transition{
        state_named(text_of(t.at("from"))), state_named(text_of(t.at("to"))), std::nullopt, {}};
    if (!t.at("end_reason").is_null()) {
      transition.end_reason = m.end_reasons.emplace_back(text_of(t.at("end_reason")));
    }
    if (const auto* effects = t.if_contains("effects")) {
      transition.effects = effects_from(effects->as_object());
    }
    m.rules.push_back(Rule{*event, std::move(transition)});
  }
  if (m.actors.size() != kEventNames.size()) bad_spec("an event of the server is missing");
  return m;
}

const Machine& machine() {
  static const Machine m = load();
  return m;
}

}  // namespace

std::string_view to_string(CallEvent e) {
  for (const auto& [event, name] : kEventNames) {
    if (event == e) return name;
  }
  return "unknown";
}

std::optional<CallEvent> parse_call_event(std::string_view s) {
  for (const auto& [event, name] : kEventNames) {
    if (name == s) return event;
  }
  return std::nullopt;
}

Actor actor_of(CallEvent e) {
  for (const auto& [event, actor] : machine().actors) {
    if (event == e) return actor;
  }
  return Actor::kSystem;
}

std::optional<Transition> next_transition(CallState from, CallEvent event) {
  for (const auto& rule : machine().rules) {
    if (rule.transition.from == from && rule.event == event) return rule.transition;
  }
  return std::nullopt;
}

}  // namespace sb::call
