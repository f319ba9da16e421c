// The operations resource (docs/openapi.yaml): the summary behind the ops dashboard.
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

constexpr std::int64_t kSummaryWindowMs = 3600 * 1000;

net::HttpResponse summary(const Services& s, Exchange& ex) {
  auto summary = s.calls.ops_summary(*ex.user, kSummaryWindowMs);
  if (!summary) return error_response(summary.error());
  return json_response(200, *summary);
}

}  // namespace

std::vector<Route> ops_routes() {
  return {{"GET", "/v1/ops/summary", Access::kSignedIn, &summary}};
}

}  // namespace sb::rest
