#include "call/routing.hpp"

#include <algorithm>

namespace sb::call {

std::vector<StaffCandidate> choose_staff_to_ring(RoutingMode mode,
                                                 std::vector<StaffCandidate> candidates,
                                                 const std::optional<std::string>& requested,
                                                 const std::set<std::string>& already_rung,
                                                 bool someone_ringing) {
  std::erase_if(candidates, [&](const StaffCandidate& c) {
    return already_rung.contains(c.id) || (requested && c.id != *requested);
  });
  if (mode == RoutingMode::kRingAll) return candidates;
  if (someone_ringing || candidates.empty()) return {};
  auto longest = std::min_element(
      candidates.begin(), candidates.end(), [](const StaffCandidate& a, const StaffCandidate& b) {
        return a.idle_since_ms != b.idle_since_ms ? a.idle_since_ms < b.idle_since_ms : a.id < b.id;
      });
  return {*longest};
}

}  // namespace sb::call
