#pragma once
// Who to ring for a call (docs/api.md#routing). Pure: the caller passes the staff
// who can be rung right now, already filtered by status, presence and state.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "call/call.hpp"

namespace sb::call {

enum class RoutingMode { kRingAll, kLongestIdle };

struct StaffCandidate {
  std::string id;
  std::string name;
  /// Idle since the later of their last call's end and the moment they last became available.
  std::int64_t idle_since_ms = 0;
  /// The topics they serve (docs/queue.md#topics).
  std::vector<std::string> skills = {};
  /// Ringing for another call now (else idle).
  bool ringing = false;
};

/// Whether a staff member with `skills` serves a call on `topic` (every call without one).
bool serves(const std::vector<std::string>& skills, const std::optional<std::string>& topic);
/// The candidates who serve `topic`.
std::vector<StaffCandidate> serving(std::vector<StaffCandidate> candidates,
                                    const std::optional<std::string>& topic);

/// The staff to ring now. `already_rung` are staff rung for this call before (by any outcome):
/// they are never rung twice. `requested` narrows the choice to that one staff member.
/// ring-all: every candidate; longest-idle: the one idle longest (ties by id), if nobody of this
/// call is ringing now (`someone_ringing`).
std::vector<StaffCandidate> choose_staff_to_ring(RoutingMode mode,
                                                 std::vector<StaffCandidate> candidates,
                                                 const std::optional<std::string>& requested,
                                                 const std::set<std::string>& already_rung,
                                                 bool someone_ringing);

}  // namespace sb::call
