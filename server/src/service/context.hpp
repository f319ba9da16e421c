#pragma once
// What every part of the call service shares: the database, the bus, time, the settings and
// the memory of open calls. CallService owns all of it; each part holds one of these and
// references to the peers it calls.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "auth/principal.hpp"
#include "bus/bus.hpp"
#include "call/call.hpp"
#include "call/errors.hpp"
#include "service/call_observer.hpp"
#include "service/call_timings.hpp"
#include "service/hot_state.hpp"
#include "service/ice_servers.hpp"
#include "storage/store.hpp"
#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::service {

using auth::Principal;
using call::Call;
using call::Result;

struct ServiceContext {
  storage::Store& store;
  bus::Bus& bus;
  Scheduler& scheduler;
  const Clock& clock;
  const CallTimings& timings;
  const IceConfig& ice;
  CallObserver& observer;
  HotState& hot;
  /// When this service recovered at start-up (CallTimers::recover); none before.
  std::optional<std::int64_t> started_at_ms;
  /// "org/user" of everyone who opened a connection to this node since it started, and when
  /// they first did: after a restart, a ring that began before then could not be answered.
  std::unordered_map<std::string, std::int64_t> first_connected_ms;
};

}  // namespace sb::service
