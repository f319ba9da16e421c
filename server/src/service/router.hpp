#pragma once
// Who is rung for a call: the staff who can be rung now, ringing them, and rerouting a call
// still ringing when the staff it rings change (declines, step ends, staff going or coming).

#include <string>
#include <vector>

#include "call/call_machine.hpp"
#include "call/routing.hpp"
#include "service/call_reads.hpp"
#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallQueue;
class CallTimers;
class Transitions;

class Router {
 public:
  Router(ServiceContext& ctx, CallReads& reads, Announcer& announcer, CallTimers& timers,
         Transitions& transitions, CallQueue& queue)
      : ctx_(ctx),
        reads_(reads),
        announcer_(announcer),
        timers_(timers),
        transitions_(transitions),
        queue_(queue) {}

  /// Available, connected staff of the org who are idle or ringing.
  Result<std::vector<call::StaffCandidate>> ringable_staff(const std::string& org_id);
  /// call.incoming to the staff members, and their rows to the boards.
  void ring(const Call& call, const std::vector<std::string>& staff_ids);
  /// Rings whoever the call may ring now; ends it declined when everyone declined.
  void reroute(const std::string& org_id, const std::string& call_id);
  /// Ends a ringing call nobody took (`otherwise`: all_declined or ring_timeout), or sends it
  /// back to the queue when it came from there and may still wait (CallQueue::takes_back).
  Result<Call> end_unanswered(const Call& call, call::CallEvent otherwise);
  /// Moves a ringing call back to (or into) the queue, keeping a place it had.
  Result<Call> requeue(const Call& call);
  /// Promotes the org's queued calls its free staff can take (CallQueue::promote), then
  /// reroute() for every call of the org still ringing.
  void reroute_org(const std::string& org_id);

 private:
  ServiceContext& ctx_;
  CallReads& reads_;
  Announcer& announcer_;
  CallTimers& timers_;
  Transitions& transitions_;
  CallQueue& queue_;
};

}  // namespace sb::service
