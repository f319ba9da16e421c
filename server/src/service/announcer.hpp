#pragma once
// Tells the people concerned, over the bus: a call's moves (call.updated), a staff member's
// availability (availability.updated and the board row), the queue's changes to the boards, and
// the ICE servers of a live call. It also observes each queued call's wait once, when it is
// settled.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "service/call_reads.hpp"
#include "service/context.hpp"

namespace sb::service {

class CallTimers;

class Announcer {
 public:
  Announcer(ServiceContext& ctx, CallReads& reads, CallTimers& timers)
      : ctx_(ctx), reads_(reads), timers_(timers) {}

  /// `message` to each of `users` once.
  void publish(const std::string& org_id, std::vector<std::string> users,
               const boost::json::object& message);
  /// The call moved from `from`. `quality`: the summary a terminal call shows (see
  /// QualityFeedback::quality_shown).
  void announce(const Call& call, call::CallState from,
                const std::vector<storage::Participant>& participants,
                const std::optional<storage::CallQuality>& quality);
  /// A call joined or left the org's queue: the org's boards on every node send the queue's
  /// length in their next board.updated (docs/asyncapi.yaml). Moves announced here do it
  /// themselves.
  void announce_queue_changed(const std::string& org_id);
  /// The staff members' rows changed: read them once and tell them and the org's boards.
  void announce_staff(const std::string& org_id, const std::vector<std::string>& staff_ids);
  /// Fresh ICE servers to both participants of a live call, and again every half TURN lifetime.
  void push_ice_servers(const std::string& org_id, const std::string& call_id);
  /// `{"ice_servers": [...], "expires_at"}` of `profile` (none: the first) for `user`.
  boost::json::object ice_servers_for(const std::string& user_id,
                                      const std::optional<std::string>& profile) const;

 private:
  ServiceContext& ctx_;
  CallReads& reads_;
  CallTimers& timers_;
};

}  // namespace sb::service
