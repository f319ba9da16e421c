// Liveness, readiness and the Prometheus text, outside /v1 (docs/openapi.yaml).
#include "rest/api.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"

namespace sb::rest {
namespace {

// `dev_sign_in` lets the sign-in page choose its form with an answer that is not an error.
net::HttpResponse healthz(const Services& s, Exchange&) {
  return json_response(200, boost::json::object{{"status", "ok"}, {"dev_sign_in", s.options.dev}});
}

net::HttpResponse readyz(const Services& s, Exchange&) {
  const bool ready = !s.options.ready || s.options.ready();
  if (!ready) return error_response(call::ErrorCode::kUnavailable);
  return json_response(200, boost::json::object{{"status", "ready"}});
}

net::HttpResponse metrics(const Services& s, Exchange&) {
  net::HttpResponse res;
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
  res.body = s.options.metrics_text ? s.options.metrics_text() : "";
  return res;
}

}  // namespace

std::vector<Route> health_routes() {
  return {
      {"*", "/healthz", Access::kPublic, &healthz, "health"},
      {"*", "/readyz", Access::kPublic, &readyz, "health"},
      {"*", "/metrics", Access::kPublic, &metrics, "metrics"},
  };
}

}  // namespace sb::rest
