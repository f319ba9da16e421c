#pragma once
// One REST route: method and path pattern to a handler. Each resource lists its routes in its
// own *_routes.cpp; rest::Api checks rate limits and the token, then runs the route.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/principal.hpp"
#include "net/http_types.hpp"

namespace sb::service {
class CallService;
}

namespace sb::rest {

struct ApiOptions;

/// What a handler may use besides the request.
struct Services {
  service::CallService& calls;
  const ApiOptions& options;
};

/// One request on its way through the API, and what its log line and metrics report.
struct Exchange {
  const net::HttpRequest& req;
  std::string request_id;
  /// The metrics and log label: the route's pattern, or "other" when nothing matched.
  std::string route = "other";
  std::optional<auth::Principal> user;  // set for every kSignedIn route
  /// The `{id}` of the path (already checked), or the call a handler made; empty if none.
  std::string call_id;
  std::int64_t now_ms = 0;
};

using Handler = net::HttpResponse (*)(const Services&, Exchange&);

enum class Access { kPublic, kSignedIn };

struct Route {
  std::string_view method;   // "GET", "POST", ..., or "*" for any
  std::string_view pattern;  // "/v1/calls/{id}/accept": `{id}` a call id, `*` any one segment
  Access access;
  Handler handler;
  std::string_view label = {};  // the metrics label when not the pattern
};

}  // namespace sb::rest
