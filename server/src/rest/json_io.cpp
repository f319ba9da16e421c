#include "rest/json_io.hpp"

#include <boost/url/parse_query.hpp>

#include "net/error_response.hpp"

namespace sb::rest {

namespace json = boost::json;

net::HttpResponse json_response(int status, const json::value& body) {
  net::HttpResponse res;
  res.status = status;
  res.body = json::serialize(body);
  return res;
}

net::HttpResponse error_response(const call::Error& error) {
  return net::error_response(error);
}

net::HttpResponse error_response(call::ErrorCode code, std::string message) {
  return net::error_response(call::make_error(code, std::move(message)));
}

net::HttpResponse rate_limited(int retry_after_s) {
  auto res = error_response(call::ErrorCode::kRateLimited);
  res.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return res;
}

call::Result<json::object> parse_object(const std::string& body, std::string_view not_an_object) {
  if (body.find_first_not_of(" \t\r\n") == std::string::npos) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec == json::error::too_deep) {
    return call::make_error(call::ErrorCode::kInvalidRequest, "The JSON is nested too deeply.");
  }
  if (ec || !v.is_object()) {
    return call::make_error(call::ErrorCode::kInvalidRequest, std::string(not_an_object));
  }
  return std::move(v.as_object());
}

std::optional<std::string> opt_string(const json::object& o, std::string_view key, bool& bad) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  if (!it->value().is_string()) {
    bad = true;
    return std::nullopt;
  }
  return std::string(it->value().as_string());
}

std::string query_param(std::string_view query, std::string_view name, bool& present) {
  present = false;
  auto params = boost::urls::parse_query(query);
  if (!params) return {};
  for (auto p : *params) {
    if (p.key == name) {
      present = true;
      return std::string(p.value);
    }
  }
  return {};
}

}  // namespace sb::rest
