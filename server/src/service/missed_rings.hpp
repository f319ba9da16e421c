#pragma once
// docs/api.md#routing: a restart must not punish staff for the server's own downtime. A ring that
// ran out while the server was down, or before staff could reconnect after it came back (within the
// presence grace of the start), does not count toward --max-missed. The rule is here and only
// here; the store counts what it is told to.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service/context.hpp"

namespace sb::service {

/// Whether a ring that began at `rung_at_ms` and ends missed counts toward --max-missed, on a
/// server that started at `started_at_ms` (none: this service never recovered, as in tests that
/// do not restart). A ring begun before the start ran into the downtime; one begun within the
/// presence grace after it counts only if the staff member had connected to this node before it
/// began (strictly: a connection in the same millisecond is not known to have come first)
/// (`first_connected_ms`), so staff who connect after a start are held to their rings at once.
inline bool missed_ring_counts(std::int64_t rung_at_ms, std::optional<std::int64_t> started_at_ms,
                               std::int64_t presence_grace_ms,
                               std::optional<std::int64_t> first_connected_ms) {
  if (!started_at_ms || rung_at_ms >= *started_at_ms + presence_grace_ms) return true;
  return rung_at_ms >= *started_at_ms && first_connected_ms && *first_connected_ms < rung_at_ms;
}

/// The staff still ringing for `call_id` whose ring, if it ends missed now, does not count.
/// Reads the participants only while such a ring can still be running.
Result<std::vector<std::string>> missed_rings_not_counted(ServiceContext& ctx,
                                                          const std::string& org_id,
                                                          const std::string& call_id);

}  // namespace sb::service
