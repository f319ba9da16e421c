#pragma once
// JSON in and out for the REST handlers: answers, errors, and reading bodies and queries.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "call/errors.hpp"
#include "net/http_types.hpp"

namespace sb::rest {

net::HttpResponse json_response(int status, const boost::json::value& body);
net::HttpResponse error_response(const call::Error& error);
net::HttpResponse error_response(call::ErrorCode code, std::string message = {});
/// 429 with `Retry-After` (docs/errors.md).
net::HttpResponse rate_limited(int retry_after_s);

inline constexpr std::string_view kNotAnObject = "The body must be a JSON object.";

/// The body as a JSON object; an empty body is `{}`. Anything else is `invalid_request` with
/// `not_an_object` as its message, except JSON nested deeper than the parser allows, which says
/// so.
call::Result<boost::json::object> parse_object(const std::string& body,
                                               std::string_view not_an_object = kNotAnObject);
/// The string at `key`, nullopt when absent or null; `bad` turns true when it is anything else.
std::optional<std::string> opt_string(const boost::json::object& o, std::string_view key,
                                      bool& bad);
/// The value of query parameter `name`; `present` says whether it was given at all.
std::string query_param(std::string_view query, std::string_view name, bool& present);

}  // namespace sb::rest
