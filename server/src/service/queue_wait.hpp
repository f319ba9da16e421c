#pragma once
// What switchboard_queue_wait_seconds observes (docs/queue.md: "queued until ringing or the
// end"), once per call. A call promoted from the queue can still go back to it (docs/queue.md),
// so its wait is known only when it is settled: when the call is accepted, or when it ends
// without having been accepted. Then the whole wait is observed, from `queued_at` to its last
// promotion (or to the end, if it never rang again), as the ops summary reads it.

#include <cstdint>
#include <optional>

#include "call/call.hpp"

namespace sb::service {

/// The seconds to observe for `moved`, which has just moved from `from`; nullopt for a call that
/// never queued and for every move that does not settle its wait.
std::optional<double> settled_queue_wait_s(const call::Call& moved, call::CallState from,
                                           std::int64_t ring_timeout_ms, std::int64_t now_ms);

}  // namespace sb::service
