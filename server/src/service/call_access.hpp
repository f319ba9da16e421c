#pragma once
// Who may see a call: every command and read checks through here first.

#include <string>
#include <vector>

#include "service/call_reads.hpp"
#include "service/context.hpp"

namespace sb::service {

class CallAccess {
 public:
  CallAccess(ServiceContext& ctx, CallReads& reads) : ctx_(ctx), reads_(reads) {}

  /// The call if it is of the user's org; another org's call is not_found (docs/api.md#identity),
  /// so existence does not leak.
  Result<Call> visible_call(const Principal& user, const std::string& call_id);
  /// Clients see their own calls; staff see every call of their org.
  Result<Call> get_call(const Principal& user, const std::string& call_id);
  Result<storage::CallPage> list_calls(const Principal& user, storage::CallQuery query);
  /// A call the user takes part in (caller or accepted staff); 403/404 otherwise.
  Result<Call> participant_call(const Principal& user, const std::string& call_id);
  /// The user's non-terminal calls.
  Result<std::vector<Call>> open_calls_of(const Principal& user);

 private:
  ServiceContext& ctx_;
  CallReads& reads_;
};

}  // namespace sb::service
