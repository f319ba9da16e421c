// The C++ state machine against spec/call-fsm.json: every (state, event) pair, allowed or not,
// with its effects, and the spec's vectors. The TypeScript store runs the same file
// (web/src/sdk/call).

#include "call/call_machine.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <sstream>

namespace sb::call {
namespace {

boost::json::object load_spec() {
  std::ifstream in(std::string(SB_SPEC_DIR) + "/call-fsm.json");
  std::stringstream ss;
  ss << in.rdbuf();
  return boost::json::parse(ss.str()).as_object();
}

std::string str(const boost::json::value& v) {
  return std::string(v.as_string());
}

// Events with no from-state ("create", "enqueue"): the service runs them itself. Each maps to
// the state the call starts in.
std::map<std::string, CallState> initial_events(const boost::json::object& spec) {
  std::map<std::string, CallState> out;
  for (const auto& t : spec.at("transitions").as_array()) {
    const auto& o = t.as_object();
    if (o.at("from") == spec.at("initial"))
      out[str(o.at("event"))] = *parse_call_state(str(o.at("to")));
  }
  return out;
}

// The test's own reading of a spec "effects" object, to compare with what the machine loaded.
Effects expected_effects(const boost::json::object& o) {
  Effects e;
  if (o.contains("ringing_staff")) e.ringing_staff = parse_ring_outcome(str(o.at("ringing_staff")));
  if (o.contains("accepting_staff")) e.accepting_staff = o.at("accepting_staff").as_bool();
  if (o.contains("staff_wrap_up")) e.staff_wrap_up = o.at("staff_wrap_up").as_bool();
  if (o.contains("push_ice_servers")) e.push_ice_servers = o.at("push_ice_servers").as_bool();
  if (o.contains("ring_chosen_staff")) e.ring_chosen_staff = o.at("ring_chosen_staff").as_bool();
  for (const auto* key : {"start_timers", "stop_timers"}) {
    if (!o.contains(key)) continue;
    for (const auto& name : o.at(key).as_array()) {
      auto kind = parse_timer_kind(str(name));
      EXPECT_TRUE(kind) << str(name);
      if (!kind) continue;
      (std::string_view(key) == "start_timers" ? e.start_timers : e.stop_timers).add(*kind);
    }
  }
  if (o.contains("reroute")) {
    e.reroute = str(o.at("reroute")) == "rings_end" ? Reroute::kRingsEnd : Reroute::kStaffFreed;
  }
  return e;
}

TEST(CallMachine, EveryStateEventPairMatchesTheSpec) {
  auto spec = load_spec();
  // (from, event) -> (to, end_reason) as the spec says.
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> allowed;
  std::map<std::pair<std::string, std::string>, Effects> effects;
  for (const auto& t : spec.at("transitions").as_array()) {
    const auto& o = t.as_object();
    effects[{str(o.at("from")), str(o.at("event"))}] =
        expected_effects(o.at("effects").as_object());
    allowed[{str(o.at("from")), str(o.at("event"))}] = {
        str(o.at("to")), o.at("end_reason").is_null() ? "" : str(o.at("end_reason"))};
  }
  const auto initial = initial_events(spec);
  int checked = 0;
  for (const auto& s : spec.at("states").as_array()) {
    const auto state_name = str(s.at("name"));
    auto state = parse_call_state(state_name);
    ASSERT_TRUE(state) << state_name;
    EXPECT_EQ(is_terminal(*state), s.at("terminal").as_bool()) << state_name;
    for (const auto& e : spec.at("events").as_array()) {
      const auto event_name = str(e.at("name"));
      if (initial.contains(event_name)) continue;  // No from-state; the service creates calls.
      auto event = parse_call_event(event_name);
      ASSERT_TRUE(event) << event_name;
      auto got = next_transition(*state, *event);
      auto want = allowed.find({state_name, event_name});
      if (want == allowed.end()) {
        EXPECT_FALSE(got) << state_name << " + " << event_name << " must be refused";
      } else {
        ASSERT_TRUE(got) << state_name << " + " << event_name << " must be allowed";
        EXPECT_EQ(to_string(got->to), want->second.first) << state_name << " + " << event_name;
        EXPECT_EQ(std::string(got->end_reason.value_or("")), want->second.second)
            << state_name << " + " << event_name;
        EXPECT_TRUE(got->effects == effects.at({state_name, event_name}))
            << state_name << " + " << event_name << ": effects differ from the spec";
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 9 * 14);
}

TEST(CallMachine, ActorsMatchTheSpec) {
  auto spec = load_spec();
  const std::map<std::string, Actor> actors{{"caller", Actor::kCaller},
                                            {"rung_staff", Actor::kRungStaff},
                                            {"participant", Actor::kParticipant},
                                            {"system", Actor::kSystem}};
  for (const auto& e : spec.at("events").as_array()) {
    const auto name = str(e.at("name"));
    if (initial_events(spec).contains(name)) continue;
    EXPECT_EQ(actor_of(*parse_call_event(name)), actors.at(str(e.at("actor")))) << name;
  }
}

TEST(CallMachine, SpecVectorsReplay) {
  auto spec = load_spec();
  const auto initial = initial_events(spec);
  for (const auto& v : spec.at("vectors").as_array()) {
    const auto& o = v.as_object();
    std::optional<CallState> state;
    std::optional<std::string> end_reason;
    std::int64_t version = 0;
    std::optional<Effects> last_effects;
    for (const auto& step_value : o.at("steps").as_array()) {
      std::string step = str(step_value);
      const bool refused = step.ends_with("!");
      if (refused) step.pop_back();
      if (initial.contains(step)) {
        state = initial.at(step);
        version = 1;
        continue;
      }
      ASSERT_TRUE(state) << str(o.at("name"));
      auto t = next_transition(*state, *parse_call_event(step));
      EXPECT_EQ(refused, !t) << str(o.at("name")) << ": " << step;
      if (t) {
        state = t->to;
        if (t->end_reason) end_reason = std::string(*t->end_reason);
        last_effects = t->effects;
        ++version;
      }
    }
    EXPECT_EQ(to_string(*state), str(o.at("then"))) << str(o.at("name"));
    EXPECT_EQ(end_reason.value_or(""), o.at("end_reason").is_null() ? "" : str(o.at("end_reason")))
        << str(o.at("name"));
    EXPECT_EQ(version, o.at("version").as_int64()) << str(o.at("name"));
    // The service creates calls itself, so a vector whose last accepted step is the create
    // has no effects to check here.
    EXPECT_EQ(last_effects.has_value(), o.contains("effects")) << str(o.at("name"));
    if (last_effects && o.contains("effects")) {
      EXPECT_TRUE(*last_effects == expected_effects(o.at("effects").as_object()))
          << str(o.at("name")) << ": effects of the last accepted step";
    }
  }
}

TEST(CallMachine, AcceptTakesTheOtherRingsAndStartsTheConnectTimer) {
  auto t = next_transition(CallState::kRinging, CallEvent::kAccept);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->effects.ringing_staff, RingOutcome::kTaken);
  EXPECT_TRUE(t->effects.accepting_staff);
  EXPECT_TRUE(t->effects.start_timers.contains(TimerKind::kConnect));
  EXPECT_TRUE(t->effects.stop_timers.contains(TimerKind::kRing));
  EXPECT_FALSE(t->effects.stop_timers.contains(TimerKind::kConnect));
  EXPECT_TRUE(t->effects.push_ice_servers);
}

TEST(CallMachine, RerouteDependsOnRoutingAndWrapUp) {
  const EffectPolicy ring_all{RoutingMode::kRingAll, false};
  const EffectPolicy ring_all_wrap_up{RoutingMode::kRingAll, true};
  const EffectPolicy longest_idle_wrap_up{RoutingMode::kLongestIdle, true};
  auto accept = next_transition(CallState::kRinging, CallEvent::kAccept)->effects;
  auto hangup = next_transition(CallState::kActive, CallEvent::kHangup)->effects;
  auto connected = next_transition(CallState::kAccepted, CallEvent::kConnected)->effects;
  // Ring-all rang every free staff member for every call already.
  EXPECT_FALSE(should_reroute(accept, ring_all));
  EXPECT_TRUE(should_reroute(accept, longest_idle_wrap_up));
  // A freed staff member is wanted now, or at the end of their wrap-up.
  EXPECT_TRUE(should_reroute(hangup, ring_all));
  EXPECT_FALSE(should_reroute(hangup, ring_all_wrap_up));
  EXPECT_TRUE(should_reroute(hangup, longest_idle_wrap_up));
  EXPECT_FALSE(should_reroute(connected, longest_idle_wrap_up));
  EXPECT_TRUE(starts_timer(hangup, TimerKind::kWrapUp, ring_all_wrap_up));
  EXPECT_FALSE(starts_timer(hangup, TimerKind::kWrapUp, ring_all));
}

TEST(CallMachine, NothingLeavesATerminalState) {
  for (auto s : {CallState::kCancelled, CallState::kMissed, CallState::kDeclined,
                 CallState::kFailed, CallState::kEnded}) {
    for (int e = 0; e <= static_cast<int>(CallEvent::kParticipantLost); ++e) {
      EXPECT_FALSE(next_transition(s, static_cast<CallEvent>(e)));
    }
  }
}

}  // namespace
}  // namespace sb::call
