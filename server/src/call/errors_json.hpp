#pragma once
// The one rendering of an error for the wire, shared by REST, the WebSocket protocol and the
// server's own answers.

#include <boost/json/object.hpp>

#include "call/errors.hpp"

namespace sb::call {

/// `{"code", "message", "retryable"[, "details"]}` (docs/errors.md). REST answers
/// `{"error": <this>}` with http_status(code); a WebSocket error is this plus `type` and `ref`.
boost::json::object error_json(const Error& error);

}  // namespace sb::call
