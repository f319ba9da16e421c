#include "call/errors.hpp"

#include <gtest/gtest.h>

namespace sb::call {
namespace {

TEST(Errors, EveryCodeHasTheContractStatusAndName) {
  struct Row {
    ErrorCode code;
    int status;
    const char* name;
    bool retryable;
  };
  const Row rows[] = {
      {ErrorCode::kInvalidRequest, 400, "invalid_request", false},
      {ErrorCode::kUnauthenticated, 401, "unauthenticated", false},
      {ErrorCode::kForbidden, 403, "forbidden", false},
      {ErrorCode::kNotFound, 404, "not_found", false},
      {ErrorCode::kCallAlreadyTaken, 409, "call_already_taken", false},
      {ErrorCode::kInvalidTransition, 409, "invalid_transition", false},
      {ErrorCode::kCallInProgress, 409, "call_in_progress", false},
      {ErrorCode::kNoStaffAvailable, 409, "no_staff_available", true},
      {ErrorCode::kPayloadTooLarge, 413, "payload_too_large", false},
      {ErrorCode::kRateLimited, 429, "rate_limited", true},
      {ErrorCode::kUnavailable, 503, "unavailable", true},
  };
  for (const auto& r : rows) {
    EXPECT_EQ(http_status(r.code), r.status) << r.name;
    EXPECT_EQ(to_string(r.code), r.name);
    EXPECT_EQ(is_retryable(r.code), r.retryable) << r.name;
    EXPECT_FALSE(default_message(r.code).empty()) << r.name;
  }
}

}  // namespace
}  // namespace sb::call
