// The ICE servers a signed-in user connects through, with fresh TURN credentials (CONTRACT 4).
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

net::HttpResponse ice_servers(const Services& s, Exchange& ex) {
  return json_response(200, s.calls.ice_servers_for(ex.user->user_id));
}

}  // namespace

std::vector<Route> ice_servers_routes() {
  return {{"GET", "/v1/ice-servers", Access::kSignedIn, &ice_servers}};
}

}  // namespace sb::rest
