#include "service/ice_profile_summary.hpp"

#include <boost/json.hpp>
#include <map>
#include <optional>
#include <string>

namespace sb::service {
namespace {

struct ProfileFigures {
  std::int64_t accepted = 0, connected = 0, failed = 0, relayed = 0, with_route = 0;
  std::vector<double> connect_s;
};

/// The route media took, as the participants' samples name it: relay if either side relayed.
std::optional<std::string> route_of(const storage::CallQuality& q) {
  std::optional<std::string> route;
  for (const auto& side : {q.caller, q.staff}) {
    if (side && side->candidate_type) route = side->candidate_type;
  }
  for (const auto& side : {q.caller, q.staff}) {
    if (side && side->candidate_type == "relay") route = "relay";
  }
  return route;
}

/// part / whole; null when there is nothing to divide (no attempt, no known route).
boost::json::value share(std::int64_t part, std::int64_t whole) {
  if (whole == 0) return nullptr;
  return static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

boost::json::array summarize_ice_profiles(const std::vector<CallWithQuality>& calls) {
  std::map<std::string, ProfileFigures> by_profile;
  for (const auto& row : calls) {
    const auto& c = row.call;
    if (!c.accepted_at_ms) continue;  // Profiles are drawn at the accept.
    auto& f = by_profile[c.ice_profile.value_or("unknown")];
    ++f.accepted;
    if (c.active_at_ms) {
      ++f.connected;
      f.connect_s.push_back(static_cast<double>(*c.active_at_ms - *c.accepted_at_ms) / 1000.0);
    }
    if (c.state == call::CallState::kFailed) ++f.failed;
    if (auto route = route_of(row.quality)) {
      ++f.with_route;
      if (*route == "relay") ++f.relayed;
    }
  }
  boost::json::array out;
  for (const auto& [name, f] : by_profile) {
    out.push_back(boost::json::object{{"profile", name},
                                      {"accepted", f.accepted},
                                      {"connected", f.connected},
                                      {"failed", f.failed},
                                      {"success_rate", share(f.connected, f.connected + f.failed)},
                                      {"connect_seconds",
                                       {{"count", f.connect_s.size()},
                                        {"p50", percentile(f.connect_s, 0.5)},
                                        {"p90", percentile(f.connect_s, 0.9)},
                                        {"p99", percentile(f.connect_s, 0.99)}}},
                                      {"turn_share", share(f.relayed, f.with_route)}});
  }
  return out;
}

}  // namespace sb::service
