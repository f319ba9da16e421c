#pragma once
// The REST API of CONTRACT.md section 4 plus health, metrics and the web front end: one
// HttpRequest in, one HttpResponse out. Authentication, rate limits and the error model live
// here; what a call may do lives in service::CallService.

#include <functional>
#include <optional>
#include <string>

#include "auth/jwt_verifier.hpp"
#include "net/http_types.hpp"
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
  /// Admission control (CONTRACT 11.5): when set and false, a new call is refused with 503
  /// and Retry-After before anything is written. Commands on calls already placed skip it.
  std::function<bool()> admit_new_call;
};

class Api {
 public:
  Api(service::CallService& calls, const auth::JwtVerifier& verifier, const Clock& clock,
      ApiOptions options);

  net::HttpResponse handle(const net::HttpRequest& request);

 private:
  struct Context;
  net::HttpResponse route(Context& ctx);
  net::HttpResponse route_calls(Context& ctx, const std::vector<std::string_view>& parts);

  service::CallService& calls_;
  const auth::JwtVerifier& verifier_;
  const Clock& clock_;
  ApiOptions options_;
  StaticFiles static_files_;
  RateLimiter ip_limiter_;
  RateLimiter user_limiter_;
};

}  // namespace sb::rest
