#include "call/errors.hpp"

namespace sb::call {

std::string_view to_string(ErrorCode code) {
  return error_info(code).name;
}
int http_status(ErrorCode code) {
  return error_info(code).status;
}
bool is_retryable(ErrorCode code) {
  return error_info(code).retryable;
}
std::string_view default_message(ErrorCode code) {
  return error_info(code).message;
}

Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace sb::call
