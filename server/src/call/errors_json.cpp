#include "call/errors_json.hpp"

namespace sb::call {

boost::json::object error_json(const Error& error) {
  boost::json::object out{{"code", to_string(error.code)},
                          {"message", error.text()},
                          {"retryable", is_retryable(error.code)}};
  if (!error.details.empty()) {
    boost::json::object details;
    for (const auto& [key, value] : error.details) details[key] = value;
    out["details"] = std::move(details);
  }
  return out;
}

}  // namespace sb::call
