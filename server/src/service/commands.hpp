#pragma once
// The commands on a call from REST and WebSocket: create, accept, decline, cancel, connected,
// end.

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "service/call_access.hpp"
#include "service/call_reads.hpp"
#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallQueue;
class CallTimers;
class Router;
class Transitions;

struct CreateCallRequest {
  call::Media media;
  std::optional<std::string> staff_id;
  std::map<std::string, std::string> metadata;
  std::optional<std::string> idempotency_key;
  /// v1.1: only staff with this skill take the call (docs/queue.md#topics).
  std::optional<std::string> topic = {};
};

struct CreateCallResult {
  Call call;
  bool created = true;
};

class Commands {
 public:
  Commands(ServiceContext& ctx, CallReads& reads, CallAccess& access, Router& router,
           CallTimers& timers, Announcer& announcer, Transitions& transitions, CallQueue& queue)
      : ctx_(ctx),
        reads_(reads),
        access_(access),
        router_(router),
        timers_(timers),
        announcer_(announcer),
        transitions_(transitions),
        queue_(queue) {}

  Result<CreateCallResult> create_call(const Principal& user, const CreateCallRequest& request);
  /// POST /v1/calls/{id}/transfer (docs/queue.md#transfer): `staff_id` or `topic` says to whom.
  Result<Call> transfer(const Principal& user, const std::string& call_id,
                        const std::optional<std::string>& staff_id,
                        const std::optional<std::string>& topic);
  Result<Call> accept(const Principal& user, const std::string& call_id);
  Result<Call> decline(const Principal& user, const std::string& call_id);
  Result<Call> cancel(const Principal& user, const std::string& call_id);
  Result<Call> connected(const Principal& user, const std::string& call_id,
                         const std::optional<std::string>& candidate_type);
  Result<Call> end(const Principal& user, const std::string& call_id,
                   const std::optional<std::string>& reason);

 private:
  /// A create nobody can ring now: queued if someone who would serve it is only busy
  /// (docs/queue.md), else no_staff_available.
  Result<CreateCallResult> enqueue(const Principal& user, const CreateCallRequest& request);
  /// What follows a transfer's new call once stored: memory, timers, the caller and its staff.
  /// `target`: the staff member it was passed to, named to the caller.
  void follow_new_call(const Call& stored, const std::optional<call::Person>& target,
                       const std::vector<std::string>& rung,
                       std::optional<std::int64_t> ring_until);

  ServiceContext& ctx_;
  CallReads& reads_;
  CallAccess& access_;
  Router& router_;
  CallTimers& timers_;
  Announcer& announcer_;
  Transitions& transitions_;
  CallQueue& queue_;
  /// Draws ICE profiles (docs/config.md#ice-server-profiles): an A/B split needs no cryptographic
  /// randomness.
  std::mt19937_64 rng_{std::random_device{}()};
  std::uniform_real_distribution<double> profile_draw_{0.0, 1.0};
};

}  // namespace sb::service
