#include "rest/cors.hpp"

#include <algorithm>

#include "rest/json_io.hpp"

namespace sb::rest {
namespace {

// What the routes accept (HEAD is served as GET) and the request headers the API reads.
constexpr std::string_view kAllowedMethods = "GET, POST, PUT";
constexpr std::string_view kAllowedHeaders =
    "Authorization, Content-Type, Idempotency-Key, X-Request-Id";
// Response headers a script may read besides the CORS-safelisted ones.
constexpr std::string_view kExposedHeaders = "Retry-After, X-Request-Id, Date";
// Two hours, Chromium's ceiling: a page makes one preflight per URL and method that long.
constexpr std::string_view kMaxAgeSeconds = "7200";

}  // namespace

bool Cors::is_preflight(const net::HttpRequest& req) {
  return req.method == "OPTIONS" && !req.header("origin").empty() &&
         !req.header("access-control-request-method").empty();
}

bool Cors::allows(const net::HttpRequest& req) const {
  const auto origin = req.header("origin");
  return !origin.empty() && std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

net::HttpResponse Cors::answer_preflight(const net::HttpRequest& req) const {
  if (!allows(req)) {
    return error_response(call::ErrorCode::kForbidden,
                          "This website is not allowed to use the service.");
  }
  net::HttpResponse res;
  res.status = 204;
  res.content_type.clear();
  res.headers = {{"Access-Control-Allow-Methods", std::string(kAllowedMethods)},
                 {"Access-Control-Allow-Headers", std::string(kAllowedHeaders)},
                 {"Access-Control-Max-Age", std::string(kMaxAgeSeconds)}};
  return res;
}

void Cors::add_headers(const net::HttpRequest& req, net::HttpResponse& res) const {
  if (origins_.empty()) return;
  res.headers.emplace_back("Vary", "Origin");
  if (!allows(req)) return;
  res.headers.emplace_back("Access-Control-Allow-Origin", std::string(req.header("origin")));
  res.headers.emplace_back("Access-Control-Expose-Headers", std::string(kExposedHeaders));
}

}  // namespace sb::rest
