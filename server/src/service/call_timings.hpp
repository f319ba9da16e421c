#pragma once
// How long the call service waits for what, how it rings staff, and which node it is.

#include <cstdint>
#include <string>

#include "call/routing.hpp"

namespace sb::service {

struct CallTimings {
  std::int64_t ring_timeout_ms = 45'000;
  std::int64_t ring_step_ms = 15'000;
  std::int64_t connect_timeout_ms = 30'000;
  std::int64_t reconnect_grace_ms = 30'000;
  std::int64_t presence_grace_ms = 10'000;
  std::int64_t wrap_up_ms = 0;
  int max_missed = 3;
  /// docs/queue.md: how long a call may wait in the queue, and how many may wait per org
  /// (0: no queue, v1 behaviour).
  std::int64_t queue_timeout_ms = 300'000;
  int max_queue = 100;
  call::RoutingMode routing = call::RoutingMode::kRingAll;
  /// Stable name of this node in the presence table.
  std::string node_id = "local";
  /// True when this process is the only one writing the database (no --redis): what it
  /// remembers of live calls is then never stale.
  bool single_node = true;
  /// With several nodes: a node unheard of for this long is dead (docs/decisions/0011).
  std::int64_t node_timeout_ms = 10'000;
};

}  // namespace sb::service
