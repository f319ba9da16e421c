#pragma once
// The ops dashboard's comparison of ICE server profiles (docs/config.md#ice-server-profiles): per
// profile drawn in the window, ICE success, time to connect and the share of calls relayed through
// TURN.

#include <boost/json/array.hpp>
#include <vector>

#include "service/ops_summary.hpp"

namespace sb::service {

/// One entry per profile that accepted calls of `calls` drew, by name:
/// `{"profile", "accepted", "connected", "failed", "success_rate", "connect_seconds":
/// {"count", "p50", "p90", "p99"}, "turn_share"}`. A call accepted before profiles were
/// recorded counts under "unknown". `success_rate` is null without attempts, `turn_share` null
/// when none of the profile's calls reported its route.
boost::json::array summarize_ice_profiles(const std::vector<CallWithQuality>& calls);

}  // namespace sb::service
