#include "call/errors.hpp"

#include <array>

namespace sb::call {
namespace {

struct Info {
  ErrorCode code;
  std::string_view name;
  int status;
  bool retryable;
  std::string_view message;
};

constexpr std::array<Info, 11> kInfos{{
    {ErrorCode::kInvalidRequest, "invalid_request", 400, false, "The request is not valid."},
    {ErrorCode::kUnauthenticated, "unauthenticated", 401, false, "Please sign in again."},
    {ErrorCode::kForbidden, "forbidden", 403, false, "You are not allowed to do that."},
    {ErrorCode::kNotFound, "not_found", 404, false, "That was not found."},
    {ErrorCode::kCallAlreadyTaken, "call_already_taken", 409, false,
     "Another staff member already answered this call."},
    {ErrorCode::kInvalidTransition, "invalid_transition", 409, false,
     "The call can no longer do that."},
    {ErrorCode::kCallInProgress, "call_in_progress", 409, false,
     "You already have a call in progress."},
    {ErrorCode::kNoStaffAvailable, "no_staff_available", 409, true,
     "Nobody is available to take your call right now. Please try again soon."},
    {ErrorCode::kPayloadTooLarge, "payload_too_large", 413, false, "The request is too large."},
    {ErrorCode::kRateLimited, "rate_limited", 429, true,
     "Too many requests. Please wait a moment."},
    {ErrorCode::kUnavailable, "unavailable", 503, true,
     "The service is briefly unavailable. Please try again."},
}};

const Info& info(ErrorCode code) {
  for (const auto& i : kInfos) {
    if (i.code == code) return i;
  }
  return kInfos[0];
}

}  // namespace

std::string_view to_string(ErrorCode code) {
  return info(code).name;
}
int http_status(ErrorCode code) {
  return info(code).status;
}
bool is_retryable(ErrorCode code) {
  return info(code).retryable;
}
std::string_view default_message(ErrorCode code) {
  return info(code).message;
}

Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message), {}};
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw ErrorException(e);
}

}  // namespace sb::call
