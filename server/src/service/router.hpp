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

  /// Available, connected staff of the org who are idle or ringing: whom a new call rings.
  Result<std::vector<call::StaffCandidate>> ringable_staff(const std::string& org_id);
  /// Available, connected staff of the org who are idle: whom a reroute adds to a call that
  /// already rings. Staff ringing for another call are not added (docs/queue.md, "Churn").
  Result<std::vector<call::StaffCandidate>> free_staff(const std::string& org_id);
  /// call.incoming to the staff members, and their rows to the boards.
  void ring(const Call& call, const std::vector<std::string>& staff_ids);
  /// Rings whoever the call may ring now; ends it declined when everyone declined, and sends it
  /// to the queue when everyone it rang took another call.
  void reroute(const std::string& org_id, const std::string& call_id);
  /// The same, choosing among `free` (free_staff(), read once for several calls).
  void reroute(const std::string& org_id, const std::string& call_id,
               const std::vector<call::StaffCandidate>& free);
  /// Ends a ringing call nobody took (`otherwise`: all_declined or ring_timeout), or sends it
  /// back to the queue when it came from there and may still wait (CallQueue::takes_back).
  Result<Call> end_unanswered(const Call& call, call::CallEvent otherwise);
  /// Moves a ringing call back to (or into) the queue, keeping a place it had.
  Result<Call> requeue(const Call& call);
  /// Promotes the org's queued calls its free staff can take (CallQueue::promote), then
  /// reroute() for every call of the org still ringing, with the staff still free who could
  /// not take a queued call.
  void reroute_org(const std::string& org_id);

 private:
  /// Available, connected staff of the org who are idle, or ringing too when `with_ringing`.
  Result<std::vector<call::StaffCandidate>> staff_to_ring(const std::string& org_id,
                                                          bool with_ringing);

  ServiceContext& ctx_;
  CallReads& reads_;
  Announcer& announcer_;
  CallTimers& timers_;
  Transitions& transitions_;
  CallQueue& queue_;
};

}  // namespace sb::service
