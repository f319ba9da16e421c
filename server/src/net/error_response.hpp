#pragma once
// An error as an HTTP answer (docs/errors.md): http_status(code) and `{"error": error_json(e)}`.
// The server's own refusals and the REST API both answer through it.

#include "call/errors.hpp"
#include "net/http_types.hpp"

namespace sb::net {

HttpResponse error_response(const call::Error& error);

}  // namespace sb::net
