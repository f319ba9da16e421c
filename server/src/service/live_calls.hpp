#pragma once
// The two participants of each call that may signal now (accepted or active), so relaying a
// signal reads no database. Kept by this node's own transitions; with several nodes an entry is
// read again from the database when older than kRecheckMs, since another node may have ended
// the call.

#include <cstdint>
#include <string>
#include <unordered_map>

#include "service/context.hpp"

namespace sb::service {

class CallAccess;

class LiveCalls {
 public:
  /// With several nodes, how long a remembered live call is trusted before it is read again.
  static constexpr std::int64_t kRecheckMs = 1000;

  LiveCalls(ServiceContext& ctx, CallAccess& access) : ctx_(ctx), access_(access) {}

  /// The other participant's user id, when `user` may signal on the call now.
  Result<std::string> signal_peer(const Principal& user, const std::string& call_id);
  /// The call is accepted or active.
  void remember(const Call& call);
  /// The call ended.
  void forget(const std::string& call_id) { calls_.erase(call_id); }
  /// With several nodes: drops entries nobody has checked for a minute.
  void forget_stale(std::int64_t now_ms);

 private:
  struct LiveCall {
    std::string org_id;
    std::string caller_id;
    std::string staff_id;
    std::int64_t checked_at_ms = 0;
  };

  ServiceContext& ctx_;
  CallAccess& access_;
  std::unordered_map<std::string, LiveCall> calls_;
};

}  // namespace sb::service
