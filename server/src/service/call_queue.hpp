#pragma once
// The queue (docs/queue.md): calls created while every staff member who could take them was
// busy wait here, first in first out per org among the calls a freed staff member can serve.
// The database holds the queue (order and deadlines survive a restart); promoting a call is a
// conditional UPDATE, so of several nodes exactly one promotes it. Callers hear where they stand
// in `queue.updated`, at most once a second per call. docs/queue.md says how the wait is guessed.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "call/routing.hpp"
#include "service/context.hpp"

namespace sb::service {

class Announcer;
class CallReads;
class CallTimers;
class Router;
class Transitions;

class CallQueue {
 public:
  CallQueue(ServiceContext& ctx, CallReads& reads, Announcer& announcer, CallTimers& timers,
            Transitions& transitions, Router& router)
      : ctx_(ctx),
        reads_(reads),
        announcer_(announcer),
        timers_(timers),
        transitions_(transitions),
        router_(router) {}

  /// Whether a call nobody can ring now may wait: queueing is on and a staff member who would
  /// serve it (its topic, or the one asked for) is available and connected, busy or not.
  Result<bool> may_wait(const std::string& org_id, const std::optional<std::string>& topic,
                        const std::optional<std::string>& staff_id);
  /// Whether the org's queue holds a call that one of `chosen` (the staff a new call would
  /// ring) could take. The new call is then queued behind it even while staff ring for other
  /// calls: first in, first out (docs/queue.md, "Churn").
  Result<bool> has_calls_ahead(const std::string& org_id,
                               const std::vector<call::StaffCandidate>& chosen);
  /// Whether a ringing call nobody is ringing any more goes (back) to the queue rather than
  /// ending: a call promoted from the queue whose rings all ended unanswered (declined, or the
  /// ring deadline passed), or one whose rung staff all took other calls. Yes while its queue
  /// deadline has not passed and a staff member who serves it and has not refused it is
  /// available and connected (as a create would queue). docs/queue.md.
  Result<bool> takes_back(const Call& call);
  /// The call's queue deadline: its own, or, for a call that never queued, its creation plus
  /// --queue-timeout.
  std::int64_t queue_deadline_of(const Call& call) const;
  /// How many calls of the org are queued.
  Result<std::int64_t> length(const std::string& org_id);
  /// Rings the oldest queued calls of the org that its free staff can serve, one call for each
  /// free staff member. Run whenever staff may have become ringable.
  void promote(const std::string& org_id);
  /// Those of `free` who could take a call of the org's queue (its topic or the staff asked
  /// for, and they have not refused it). Right after promote() there are none, unless another
  /// node freed them in between: they are given the queue, not rung for a call that rings.
  Result<std::set<std::string>> queue_takers(const std::string& org_id,
                                             const std::vector<call::StaffCandidate>& free);
  /// The org's queue changed: its callers hear their new places (throttled).
  void changed(const std::string& org_id);
  /// Sets `call.queue` when the call is queued.
  void place(Call& call);
  /// GET /v1/queue: the org's queued calls in order, each with its place (staff and admins).
  Result<std::vector<Call>> list(const Principal& user);

 private:
  enum class Promotion { kPromoted, kStaffTaken, kNotQueued };
  /// Promotes `call` to ringing `staff_id`, if both are still as read.
  Promotion promote_to(const Call& call, const std::string& staff_id);

  struct Spot {
    int position = 0;
    std::optional<double> estimate;
    friend bool operator==(const Spot&, const Spot&) = default;
  };
  /// Where each of `queued` (in queue order) stands and how long it may wait.
  std::vector<Spot> spots_of(const std::string& org_id, const std::vector<Call>& queued);
  struct SpotInputs {
    Result<std::vector<storage::StaffEntry>> staff;
    std::vector<std::int64_t> handle_times_ms;
  };
  /// Where `queued[i]` stands.
  Spot spot_at(const std::vector<Call>& queued, std::size_t i, const SpotInputs& inputs) const;
  void flush(const std::string& org_id);
  Result<std::vector<storage::StaffEntry>> staff_of(const std::string& org_id);
  /// Staff who refused `call` since it was queued (declined it, or let it ring out, or are
  /// ringing for it as its ring deadline passes): it is not offered to them again. A staff
  /// member who declines is idle at once.
  Result<std::set<std::string>> refused_by(const Call& call);

  /// The org's recent handle times, for the estimate: read at most once a second per org.
  std::vector<std::int64_t> recent_handle_times_ms(const std::string& org_id);

  ServiceContext& ctx_;
  CallReads& reads_;
  Announcer& announcer_;
  CallTimers& timers_;
  Transitions& transitions_;
  Router& router_;
  /// The place each queued caller heard last: by org, then call id.
  std::unordered_map<std::string, std::unordered_map<std::string, Spot>> told_;
  struct Flush {
    bool scheduled = false;
    std::int64_t last_ms = 0;
  };
  std::unordered_map<std::string, Flush> flushes_;
  struct HandleTimes {
    std::vector<std::int64_t> ms;
    std::int64_t read_at_ms = 0;
  };
  std::unordered_map<std::string, HandleTimes> handle_times_;
};

}  // namespace sb::service
