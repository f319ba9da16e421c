#pragma once
// Beast's request and response to and from the plain HttpRequest and HttpResponse that handlers
// see, and the answers the server writes itself. Internal to net/: it includes Beast.

#include <optional>
#include <string>
#include <string_view>

#include "call/errors.hpp"
#include "net/server_state.hpp"

namespace sb::net {

using Response = http::response<http::string_body>;

/// The percent-decoded path of a request target; nullopt for a broken escape or an encoded NUL.
std::optional<std::string> decoded_path(std::string_view target);

/// nullopt when the target's path cannot be decoded.
std::optional<HttpRequest> to_http_request(Request& req, const std::string& remote_ip);

/// A status outside 100..999 becomes the server's own `unavailable`; header fields that would
/// break the framing are left out.
Response to_beast_response(HttpResponse res, unsigned version, bool keep_alive);

/// An answer of the server itself (not of a handler), with its own X-Request-Id.
HttpResponse server_error(call::ErrorCode code, std::string message);

}  // namespace sb::net
