// The ICE servers a signed-in user connects through, with fresh TURN credentials
// (docs/openapi.yaml).
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

// With `?call_id=`, the servers of the profile that call drew (docs/config.md#ice-server-profiles);
// the caller must take part in it.
net::HttpResponse ice_servers(const Services& s, Exchange& ex) {
  bool present = false;
  std::string call_id = query_param(ex.req.query, "call_id", present);
  std::optional<std::string> of_call;
  if (present) {
    ex.call_id = call_id;
    of_call = std::move(call_id);
  }
  auto servers = s.calls.ice_servers_for(*ex.user, of_call);
  if (!servers) return error_response(servers.error());
  return json_response(200, *servers);
}

}  // namespace

std::vector<Route> ice_servers_routes() {
  return {{"GET", "/v1/ice-servers", Access::kSignedIn, &ice_servers}};
}

}  // namespace sb::rest
