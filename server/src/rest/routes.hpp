#pragma once
// The route table of each resource, in the order the router tries them.

#include <vector>

#include "rest/route.hpp"

namespace sb::rest {

/// /healthz, /readyz and /metrics, matched on the exact path, outside /v1 and its limits.
std::vector<Route> health_routes();
/// Everything under /v1.
std::vector<Route> calls_routes();
std::vector<Route> staff_routes();
std::vector<Route> queue_routes();
std::vector<Route> ops_routes();
std::vector<Route> ice_servers_routes();
std::vector<Route> dev_token_routes();

}  // namespace sb::rest
