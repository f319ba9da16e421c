#pragma once
// The call service: every command on a call (REST and WebSocket land here), routing, timers and
// presence. It checks who may do what, asks the state machine whether a move is allowed, lets
// the store make the move atomically, and only then announces it on the bus.
// A facade: each concern is a part of its own (below), and this class owns them and forwards.
// Single-threaded: all methods run on the server's io thread.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "bus/bus.hpp"
#include "call/call_machine.hpp"
#include "call/errors.hpp"
#include "call/routing.hpp"
#include "service/announcer.hpp"
#include "service/call_access.hpp"
#include "service/call_observer.hpp"
#include "service/call_queue.hpp"
#include "service/call_reads.hpp"
#include "service/call_timers.hpp"
#include "service/call_timings.hpp"
#include "service/commands.hpp"
#include "service/context.hpp"
#include "service/hot_state.hpp"
#include "service/ice_servers.hpp"
#include "service/live_calls.hpp"
#include "service/ops_report.hpp"
#include "service/presence.hpp"
#include "service/quality_feedback.hpp"
#include "service/router.hpp"
#include "service/transitions.hpp"
#include "storage/store.hpp"
#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::service {

class CallService {
 public:
  CallService(storage::Store& store, bus::Bus& bus, Scheduler& scheduler, const Clock& clock,
              CallTimings timings, IceConfig ice, CallObserver* observer = nullptr);
  CallService(const CallService&) = delete;
  CallService& operator=(const CallService&) = delete;

  /// After a start or a crash: graces restart now, and every timer the database implies is set
  /// again (ring deadlines that passed fire at once). Call once before serving.
  Result<void> recover();
  /// Every --sweep-interval: forgets stale live calls and promotes queued calls, a backstop
  /// to the promotions staff changes set off.
  void sweep();
  /// Every --due-check-interval: ends what is past its deadline in the database,
  /// whichever node set the timer (CallTimers::take_over_due). False when the database could
  /// not be read.
  bool take_over_due();

  Result<CreateCallResult> create_call(const Principal& user, const CreateCallRequest& request);
  Result<Call> get_call(const Principal& user, const std::string& call_id);
  Result<storage::CallPage> list_calls(const Principal& user, storage::CallQuery query);
  Result<Call> accept(const Principal& user, const std::string& call_id);
  Result<Call> decline(const Principal& user, const std::string& call_id);
  Result<Call> cancel(const Principal& user, const std::string& call_id);
  /// `candidate_type`: the selected ICE candidate type the participant saw, if it says.
  Result<Call> connected(const Principal& user, const std::string& call_id,
                         const std::optional<std::string>& candidate_type = std::nullopt);
  Result<Call> end(const Principal& user, const std::string& call_id,
                   const std::optional<std::string>& reason);
  /// docs/queue.md#transfer: the new call, which rings or queues; the old one ended `transferred`.
  Result<Call> transfer(const Principal& user, const std::string& call_id,
                        const std::optional<std::string>& staff_id,
                        const std::optional<std::string>& topic);
  /// docs/queue.md, GET /v1/queue: the org's queued calls in order (staff and admins).
  Result<std::vector<Call>> queued_calls(const Principal& user);
  /// How many calls of the org wait in its queue (for the board).
  std::int64_t queue_length(const std::string& org_id);

  /// A participant's quality sample (docs/openapi.yaml), while the call is accepted or active.
  Result<void> add_quality(const Principal& user, const std::string& call_id,
                           const storage::QualitySample& sample);
  /// A participant's rating, after the end.
  Result<Call> give_feedback(const Principal& user, const std::string& call_id,
                             const storage::Feedback& feedback);
  /// Admins only: the org's last `window_ms` for the ops dashboard.
  Result<boost::json::object> ops_summary(const Principal& user, std::int64_t window_ms);
  /// The call as the wire shows it; a terminal call carries its `quality` (docs/openapi.yaml),
  /// read once here and rendered by call_for_wire (call_json.hpp), which reads nothing.
  boost::json::object render(const Call& call);

  Result<std::vector<storage::StaffEntry>> list_staff(const Principal& user);
  Result<storage::StaffEntry> set_my_status(const Principal& user, call::StaffStatus status);

  /// A call the user takes part in (caller or accepted staff); 403/404 otherwise.
  Result<Call> participant_call(const Principal& user, const std::string& call_id);
  /// The other participant's user id, when `user` may signal on the call now.
  Result<std::string> signal_peer(const Principal& user, const std::string& call_id);

  /// Presence, from the signaling layer: one connection of `user` opened or closed.
  void connection_opened(const Principal& user);
  void connection_closed(const Principal& user);
  /// The user's non-terminal calls, for `welcome`.
  Result<std::vector<Call>> open_calls_of(const Principal& user);

  /// `{"ice_servers": [...], "expires_at"}` for `user`: of the profile `call_id` drew, when
  /// given (the user takes part in it), else of the first profile.
  Result<boost::json::object> ice_servers_for(const Principal& user,
                                              const std::optional<std::string>& call_id);

 private:
  CallTimings timings_;
  IceConfig ice_;
  CallObserver default_observer_;
  HotState hot_;
  ServiceContext ctx_;
  CallReads reads_;
  CallAccess access_;
  // The parts call one another: each holds references to its peers, some constructed after it;
  // none calls a peer while being constructed.
  Announcer announcer_;
  CallTimers timers_;
  Router router_;
  Transitions transitions_;
  Presence presence_;
  CallQueue queue_;
  Commands commands_;
  LiveCalls live_calls_;
  QualityFeedback quality_;
  OpsReport ops_;
};

}  // namespace sb::service
