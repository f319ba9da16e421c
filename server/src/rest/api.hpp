#pragma once
// The REST API of docs/openapi.yaml plus health, metrics and the web front end: one
// HttpRequest in, one HttpResponse out. Rate limits and authentication live here; the routes of
// each resource live in its own *_routes.cpp; what a call may do lives in service::CallService.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt_verifier.hpp"
#include "net/http_types.hpp"
#include "rest/cors.hpp"
#include "rest/route.hpp"
#include "rest/router.hpp"
#include "rest/static_files.hpp"
#include "service/call_service.hpp"
#include "util/rate_limiter.hpp"

namespace sb::rest {

struct ApiOptions {
  bool dev = false;
  /// The HS256 secret dev tokens are signed with (only with `dev`).
  std::string dev_secret;
  std::string web_root;
  RateSpec rate_user;
  RateSpec rate_ip;
  /// Storage and bus reachable, for /readyz.
  std::function<bool()> ready;
  /// Prometheus text for /metrics.
  std::function<std::string()> metrics_text;
  /// Called once per request with its route label, status and seconds, for metrics.
  std::function<void(std::string_view route, int status, double seconds)> on_request;
  /// Admission control (docs/decisions/0004): when set and false, a new call is refused with 503
  /// and Retry-After before anything is written. Commands on calls already placed skip it.
  std::function<bool()> admit_new_call;
  /// Browser origins allowed to call /v1 (docs/decisions/0009; rest/cors.hpp).
  std::vector<std::string> cors_origins;
};

class Api {
 public:
  Api(service::CallService& calls, const auth::JwtVerifier& verifier, const Clock& clock,
      ApiOptions options);

  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  net::HttpResponse route(Exchange& ex);
  net::HttpResponse route_outside_v1(Exchange& ex);
  net::HttpResponse route_v1(Exchange& ex, std::span<const std::string_view> segments);
  /// Checks the bearer token and the user's bucket; the refusal when either fails.
  std::optional<net::HttpResponse> sign_in(Exchange& ex);
  net::HttpResponse run(const Route& route, Exchange& ex);

  const auth::JwtVerifier& verifier_;
  const Clock& clock_;
  ApiOptions options_;
  Services services_;
  std::vector<Route> outside_v1_;
  Router v1_;
  StaticFiles static_files_;
  RateLimiter ip_limiter_;
  RateLimiter user_limiter_;
  Cors cors_;
};

}  // namespace sb::rest
