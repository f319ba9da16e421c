#pragma once
// The commands on a call from REST and WebSocket: create, accept, decline, cancel, connected,
// end.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/call_access.hpp"
#include "service/call_reads.hpp"
#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallTimers;
class Router;
class Transitions;

struct CreateCallRequest {
  call::Media media;
  std::optional<std::string> staff_id;
  std::map<std::string, std::string> metadata;
  std::optional<std::string> idempotency_key;
};

struct CreateCallResult {
  Call call;
  bool created = true;
};

class Commands {
 public:
  Commands(ServiceContext& ctx, CallReads& reads, CallAccess& access, Router& router,
           CallTimers& timers, Announcer& announcer, Transitions& transitions)
      : ctx_(ctx),
        reads_(reads),
        access_(access),
        router_(router),
        timers_(timers),
        announcer_(announcer),
        transitions_(transitions) {}

  Result<CreateCallResult> create_call(const Principal& user, const CreateCallRequest& request);
  Result<Call> accept(const Principal& user, const std::string& call_id);
  Result<Call> decline(const Principal& user, const std::string& call_id);
  Result<Call> cancel(const Principal& user, const std::string& call_id);
  Result<Call> connected(const Principal& user, const std::string& call_id,
                         const std::optional<std::string>& candidate_type);
  Result<Call> end(const Principal& user, const std::string& call_id,
                   const std::optional<std::string>& reason);

 private:
  ServiceContext& ctx_;
  CallReads& reads_;
  CallAccess& access_;
  Router& router_;
  CallTimers& timers_;
  Announcer& announcer_;
  Transitions& transitions_;
};

}  // namespace sb::service
