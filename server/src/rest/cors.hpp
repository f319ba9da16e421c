#pragma once
// CORS for /v1 (docs/decisions/0009): browsers on the origins of --cors-origins may call the API;
// no other origin gets a CORS header. Tokens travel in Authorization, never in cookies, so no
// credentials are allowed and a listed origin gets exactly what a same-origin page gets.

#include <optional>
#include <string>
#include <vector>

#include "net/http_types.hpp"

namespace sb::rest {

class Cors {
 public:
  /// `origins` as util/origins.hpp parses them; empty: no origin is allowed.
  explicit Cors(std::vector<std::string> origins) : origins_(std::move(origins)) {}

  /// Whether `req` is a preflight: OPTIONS with Origin and Access-Control-Request-Method.
  static bool is_preflight(const net::HttpRequest& req);
  /// The answer to a preflight: 204 with the methods and headers the API reads for a listed
  /// origin; `403 forbidden` for any other (add_headers adds nothing to it then).
  net::HttpResponse answer_preflight(const net::HttpRequest& req) const;
  /// For every /v1 answer: Access-Control-Allow-Origin and -Expose-Headers when the request's
  /// origin is listed, and `Vary: Origin` once any origin is (a cache must not hand one origin's
  /// answer to another).
  void add_headers(const net::HttpRequest& req, net::HttpResponse& res) const;

 private:
  bool allows(const net::HttpRequest& req) const;

  std::vector<std::string> origins_;
};

}  // namespace sb::rest
