#pragma once
// The wire error codes of docs/errors.md and the error value every service returns.
// Status, retryable and message of each code come from spec/errors.json (generated into
// errors_table.cpp at build time); the enum names the same codes for the code that raises them.

#include <boost/system/result.hpp>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sb::call {

enum class ErrorCode {
  kInvalidRequest,
  kUnauthenticated,
  kForbidden,
  kNotFound,
  kCallAlreadyTaken,
  kInvalidTransition,
  kCallInProgress,
  kNoStaffAvailable,
  kQueueFull,
  kPayloadTooLarge,
  kRateLimited,
  kUnavailable,
};

/// One row of spec/errors.json.
struct ErrorInfo {
  ErrorCode code;
  std::string_view name;
  int status;
  bool retryable;
  std::string_view message;
};

/// Every code, in the order of spec/errors.json.
std::span<const ErrorInfo> error_table();
const ErrorInfo& error_info(ErrorCode code);

std::string_view to_string(ErrorCode code);
int http_status(ErrorCode code);
bool is_retryable(ErrorCode code);
/// One plain sentence an end user can read.
std::string_view default_message(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;  // empty: default_message(code)
  std::map<std::string, std::string> details;

  std::string_view text() const { return message.empty() ? default_message(code) : message; }
};

Error make_error(ErrorCode code, std::string message = {});

/// Raised only by result<T, Error>::value() on an error; services check results instead.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error e)
      : std::runtime_error(std::string(e.text())), error(std::move(e)) {}
  Error error;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <typename T>
using Result = boost::system::result<T, Error>;

}  // namespace sb::call
