#include "rest/api.hpp"

#include <chrono>

#include "obs/log.hpp"
#include "rest/json_io.hpp"
#include "rest/routes.hpp"
#include "util/ids.hpp"

namespace sb::rest {
namespace {

using call::ErrorCode;

std::vector<Route> v1_routes() {
  std::vector<Route> all;
  for (auto resource : {calls_routes, staff_routes, queue_routes, ops_routes, ice_servers_routes,
                        dev_token_routes}) {
    auto routes = resource();
    all.insert(all.end(), routes.begin(), routes.end());
  }
  return all;
}

bool is_v1(std::span<const std::string_view> segments) {
  return !segments.empty() && segments[0] == "v1";
}

std::string_view label_of(const Route& route) {
  return route.label.empty() ? route.pattern : route.label;
}

}  // namespace

Api::Api(service::CallService& calls, const auth::JwtVerifier& verifier, const Clock& clock,
         ApiOptions options)
    : verifier_(verifier),
      clock_(clock),
      options_(std::move(options)),
      services_{calls, options_},
      outside_v1_(health_routes()),
      v1_(v1_routes()),
      static_files_(options_.web_root),
      ip_limiter_(options_.rate_ip),
      user_limiter_(options_.rate_user),
      cors_(options_.cors_origins) {}

net::HttpResponse Api::handle(const net::HttpRequest& req) {
  const auto started = std::chrono::steady_clock::now();
  Exchange ex{
      req, std::string(req.header("x-request-id")), "other", std::nullopt, {}, clock_.now_ms()};
  if (ex.request_id.empty() || ex.request_id.size() > 128) ex.request_id = random_id("req_");

  net::HttpResponse res;
  try {
    res = route(ex);
  } catch (const std::exception& e) {
    // The one place an unexpected exception from a handler is caught: answer, log, go on.
    obs::log_error("http.exception", {{"request_id", ex.request_id}, {"what", e.what()}});
    res = error_response(ErrorCode::kUnavailable);
  }
  res.headers.emplace_back("X-Request-Id", ex.request_id);
  if (is_v1(split_path(req.path))) cors_.add_headers(req, res);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options_.on_request) options_.on_request(ex.route, res.status, seconds);
  if (ex.route != "static" && ex.route != "health") {
    obs::log_info("http.request", {{"request_id", ex.request_id},
                                   {"method", req.method},
                                   {"ip", req.remote_ip},
                                   {"route", ex.route},
                                   {"status", res.status},
                                   {"ms", seconds * 1000.0},
                                   {"org", ex.user ? ex.user->org_id : ""},
                                   {"user", ex.user ? ex.user->user_id : ""},
                                   {"call_id", ex.call_id}});
  }
  return res;
}

net::HttpResponse Api::route(Exchange& ex) {
  const auto segments = split_path(ex.req.path);
  if (!is_v1(segments)) return route_outside_v1(ex);
  return route_v1(ex, segments);
}

net::HttpResponse Api::route_outside_v1(Exchange& ex) {
  for (const auto& route : outside_v1_) {
    if (route.pattern == ex.req.path) return run(route, ex);
  }
  ex.route = "static";
  if (ex.req.method != "GET" && ex.req.method != "HEAD") {
    return error_response(ErrorCode::kNotFound);
  }
  return static_files_.serve(ex.req.path);
}

net::HttpResponse Api::route_v1(Exchange& ex, std::span<const std::string_view> segments) {
  if (int wait = ip_limiter_.take(ex.req.remote_ip, ex.now_ms)) return rate_limited(wait);
  if (Cors::is_preflight(ex.req)) {
    ex.route = "preflight";
    return cors_.answer_preflight(ex.req);
  }
  if (ex.req.body_too_large) return error_response(ErrorCode::kPayloadTooLarge);

  const auto match = v1_.match(ex.req.method, segments);
  // Only a public route skips the token: any other path, known or not, needs one first.
  if (match.path == nullptr || match.path->access != Access::kPublic) {
    if (auto refused = sign_in(ex)) return std::move(*refused);
  }
  if (match.path == nullptr) return error_response(ErrorCode::kNotFound);
  // docs/api.md#identity: ids are 1 to 128 of [A-Za-z0-9._:@-]; anything else is a bad request.
  if (!match.id_valid) {
    return error_response(ErrorCode::kInvalidRequest, "That is not a valid call id.");
  }
  ex.call_id = std::string(match.id);
  if (match.route == nullptr) {
    ex.route = std::string(label_of(*match.path));
    return error_response(ErrorCode::kNotFound);
  }
  return run(*match.route, ex);
}

std::optional<net::HttpResponse> Api::sign_in(Exchange& ex) {
  auto authz = ex.req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authz.size() <= kBearer.size() || !authz.starts_with(kBearer)) {
    return error_response(ErrorCode::kUnauthenticated);
  }
  auto principal = verifier_.verify(authz.substr(kBearer.size()), ex.now_ms / 1000);
  if (!principal) {
    obs::log_info("auth.rejected",
                  {{"request_id", ex.request_id}, {"reason", principal.error().message()}});
    return error_response(ErrorCode::kUnauthenticated);
  }
  ex.user = *principal;
  if (int wait = user_limiter_.take(ex.user->org_id + "/" + ex.user->user_id, ex.now_ms)) {
    return rate_limited(wait);
  }
  return std::nullopt;
}

net::HttpResponse Api::run(const Route& route, Exchange& ex) {
  ex.route = std::string(label_of(route));
  return route.handler(services_, ex);
}

}  // namespace sb::rest
