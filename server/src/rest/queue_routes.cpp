// The queue resource (docs/queue.md): the org's queued calls, in order.
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

namespace json = boost::json;

net::HttpResponse list_queue(const Services& s, Exchange& ex) {
  auto queued = s.calls.queued_calls(*ex.user);
  if (!queued) return error_response(queued.error());
  json::array calls;
  for (const auto& c : *queued) calls.push_back(s.calls.render(c));
  return json_response(200, json::object{{"calls", std::move(calls)}});
}

}  // namespace

std::vector<Route> queue_routes() {
  return {
      {"GET", "/v1/queue", Access::kSignedIn, &list_queue},
  };
}

}  // namespace sb::rest
