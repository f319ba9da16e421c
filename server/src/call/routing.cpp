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

bool serves(const std::vector<std::string>& skills, const std::optional<std::string>& topic) {
  return !topic || std::find(skills.begin(), skills.end(), *topic) != skills.end();
}

std::vector<StaffCandidate> serving(std::vector<StaffCandidate> candidates,
                                    const std::optional<std::string>& topic) {
  std::erase_if(candidates, [&](const StaffCandidate& c) { return !serves(c.skills, topic); });
  return candidates;
}

}  // namespace sb::call
