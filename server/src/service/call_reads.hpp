#pragma once
// Reads of a call the hot path makes, from memory where this node holds them (HotState),
// else from the database.

#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "service/context.hpp"

namespace sb::service {

class CallReads {
 public:
  explicit CallReads(ServiceContext& ctx) : ctx_(ctx) {}

  Result<std::optional<call::Call>> find_call(const std::string& org_id,
                                              const std::string& call_id);
  Result<std::vector<storage::Participant>> participants_of(const std::string& call_id);
  /// The org's queued calls, in queue order.
  Result<std::vector<call::Call>> queued_calls(const std::string& org_id);
  /// The caller's open call (a caller has at most one).
  Result<std::optional<std::string>> open_call_of_caller(const auth::Principal& caller);

 private:
  ServiceContext& ctx_;
};

}  // namespace sb::service
