#pragma once
// Runs one move of a call: the state machine says whether it is allowed and what it causes
// (its effects), the store makes it and its data effects atomically, and then the rest follows
// (timers, announcements, ICE servers, rerouting).

#include "call/call_machine.hpp"
#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallQueue;
class CallTimers;
class LiveCalls;
class QualityFeedback;
class Router;

class Transitions {
 public:
  Transitions(ServiceContext& ctx, CallTimers& timers, Announcer& announcer, Router& router,
              LiveCalls& live_calls, QualityFeedback& quality, CallQueue& queue)
      : ctx_(ctx),
        timers_(timers),
        announcer_(announcer),
        router_(router),
        live_calls_(live_calls),
        quality_(quality),
        queue_(queue) {}

  /// `event` on `call`, as loaded. When someone else moved the call first, the answer is an
  /// invalid transition from what the database holds now.
  Result<Call> apply(const Call& call, call::CallEvent event, storage::TransitionRequest request);

 private:
  /// What this node keeps in memory of the call follows its new state.
  void remember(const Call& moved, const storage::TransitionOutcome& outcome);

  ServiceContext& ctx_;
  CallTimers& timers_;
  Announcer& announcer_;
  Router& router_;
  LiveCalls& live_calls_;
  QualityFeedback& quality_;
  CallQueue& queue_;
};

}  // namespace sb::service
