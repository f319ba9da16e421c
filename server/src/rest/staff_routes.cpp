// The staff resource (docs/openapi.yaml): the org's availability board and one's own status.
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"
#include "service/call_json.hpp"

namespace sb::rest {
namespace {

namespace json = boost::json;

net::HttpResponse list_availability(const Services& s, Exchange& ex) {
  auto staff = s.calls.list_staff(*ex.user);
  if (!staff) return error_response(staff.error());
  json::array list;
  for (const auto& entry : *staff) list.push_back(service::staff_to_json(entry));
  return json_response(200, json::object{{"staff", std::move(list)}});
}

net::HttpResponse set_my_availability(const Services& s, Exchange& ex) {
  constexpr std::string_view kBadStatus = "Status must be available, away or offline.";
  auto body = parse_object(ex.req.body, kBadStatus);
  if (!body) return error_response(body.error());
  bool bad = false;
  auto status_text = opt_string(*body, "status", bad);
  auto status = status_text ? call::parse_staff_status(*status_text) : std::nullopt;
  if (bad || !status)
    return error_response(call::ErrorCode::kInvalidRequest, std::string(kBadStatus));
  auto entry = s.calls.set_my_status(*ex.user, *status);
  if (!entry) return error_response(entry.error());
  return json_response(200, service::staff_to_json(*entry));
}

}  // namespace

std::vector<Route> staff_routes() {
  return {
      {"GET", "/v1/staff/availability", Access::kSignedIn, &list_availability},
      {"PUT", "/v1/staff/me/availability", Access::kSignedIn, &set_my_availability},
  };
}

}  // namespace sb::rest
