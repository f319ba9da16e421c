#pragma once
// The call service: every command on a call (REST and WebSocket land here), routing, timers and
// presence. It checks who may do what, asks the state machine whether a move is allowed, lets
// the store make the move atomically, and only then announces it on the bus.
// Single-threaded: all methods run on the server's io thread.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/principal.hpp"
#include "bus/bus.hpp"
#include "call/call_machine.hpp"
#include "call/errors.hpp"
#include "call/routing.hpp"
#include "service/call_observer.hpp"
#include "service/hot_state.hpp"
#include "service/ice_servers.hpp"
#include "storage/store.hpp"
#include "util/clock.hpp"
#include "util/scheduler.hpp"

namespace sb::service {

using auth::Principal;
using call::Call;
using call::Result;

struct CallTimings {
  std::int64_t ring_timeout_ms = 45'000;
  std::int64_t ring_step_ms = 15'000;
  std::int64_t connect_timeout_ms = 30'000;
  std::int64_t reconnect_grace_ms = 30'000;
  std::int64_t presence_grace_ms = 10'000;
  std::int64_t wrap_up_ms = 0;
  int max_missed = 3;
  call::RoutingMode routing = call::RoutingMode::kRingAll;
  /// Stable name of this node in the presence table.
  std::string node_id = "local";
  /// True when this process is the only one writing the database (no --redis): what it
  /// remembers of live calls is then never stale.
  bool single_node = true;
};

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

class CallService {
 public:
  CallService(storage::Store& store, bus::Bus& bus, Scheduler& scheduler, const Clock& clock,
              CallTimings timings, IceConfig ice, CallObserver* observer = nullptr);

  /// After a start or a crash: graces restart now, and every timer the database implies is set
  /// again (ring deadlines that passed fire at once). Call once before serving.
  Result<void> recover();
  /// Finishes whatever is past its deadline; a backstop to the per-call timers.
  void sweep();

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

  /// A participant's quality sample (CONTRACT 6), while the call is accepted or active.
  Result<void> add_quality(const Principal& user, const std::string& call_id,
                           const storage::QualitySample& sample);
  /// A participant's rating, after the end.
  Result<Call> give_feedback(const Principal& user, const std::string& call_id,
                             const storage::Feedback& feedback);
  /// Admins only: the org's last `window_ms` for the ops dashboard.
  Result<boost::json::object> ops_summary(const Principal& user, std::int64_t window_ms);
  /// The call as the wire shows it; a terminal call carries its `quality` (CONTRACT 6, 10.15).
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

  /// `{"ice_servers": [...], "expires_at"}` for `user`.
  boost::json::object ice_servers_for(const std::string& user_id) const;

 private:
  Result<Call> load_visible(const Principal& user, const std::string& call_id);
  /// The call, from memory when this node holds it, else from the database.
  Result<std::optional<Call>> find_call(const std::string& org_id, const std::string& call_id);
  Result<std::vector<storage::Participant>> participants_of(const std::string& call_id);
  /// The caller's open call (a caller has at most one), from memory on one node.
  Result<std::optional<std::string>> open_call_of_caller(const Principal& caller);
  std::vector<call::StaffCandidate> candidates_from(
      const std::vector<storage::StaffEntry>& staff) const;
  Result<Call> apply(const Call& call, call::CallEvent event, storage::TransitionRequest request);
  void announce(const Call& call, call::CallState from,
                const std::vector<storage::Participant>& participants);
  void announce_staff(const std::string& org_id, const std::vector<std::string>& staff_ids);
  void publish(const std::string& org_id, std::vector<std::string> users,
               const boost::json::object& message);
  Result<std::vector<call::StaffCandidate>> ringable_staff(const std::string& org_id);
  void ring(const Call& call, const std::vector<std::string>& staff_ids);
  void reroute(const std::string& org_id, const std::string& call_id);
  void reroute_org(const std::string& org_id);
  void on_ring_timeout(const std::string& org_id, const std::string& call_id);
  void on_connect_timeout(const std::string& org_id, const std::string& call_id);
  void on_ring_step_end(const std::string& org_id, const std::string& call_id,
                        const std::string& staff_id);
  void on_presence_grace(const std::string& org_id, const std::string& user_id, bool is_staff);
  void withdraw_rings(const std::string& org_id, const std::string& staff_id);
  void on_reconnect_grace(const std::string& org_id, const std::string& user_id);
  void push_ice_servers(const std::string& org_id, const std::string& call_id);
  void schedule_ring_timeout(const std::string& org_id, const std::string& call_id,
                             std::int64_t at_ms);
  void schedule_connect_timeout(const std::string& org_id, const std::string& call_id,
                                std::int64_t at_ms);
  void schedule_ring_step(const std::string& org_id, const std::string& call_id,
                          const std::string& staff_id, std::int64_t at_ms);
  void schedule_wrap_up_end(const std::string& org_id, const std::string& staff_id,
                            std::int64_t at_ms);
  void schedule_user_timer(const std::string& key, std::int64_t at_ms, std::function<void()> fn);
  void cancel_timer(const std::string& key);
  void cancel_call_timers(const std::string& call_id);

  /// The two participants of a call that may signal now (accepted or active): relaying a
  /// signal reads no database. Kept by this node's own transitions; with several nodes an entry
  /// is read again from the database when older than kLiveCallRecheckMs, since another node
  /// may have ended the call.
  struct LiveCall {
    std::string org_id;
    std::string caller_id;
    std::string staff_id;
    std::int64_t checked_at_ms = 0;
  };
  void remember_live(const Call& call);
  void forget_stale_live_calls(std::int64_t now_ms);

  storage::Store& store_;
  bus::Bus& bus_;
  Scheduler& scheduler_;
  const Clock& clock_;
  CallTimings timings_;
  IceConfig ice_;
  CallObserver default_observer_;
  CallObserver* observer_;
  /// Pending timers by a readable key: "ring:<call>", "connect:<call>", "step:<call>:<staff>",
  /// "ice:<call>", "presence:<org>/<user>", "reconnect:<org>/<user>", "wrapup:<org>/<staff>".
  std::map<std::string, TimerId> timers_;
  std::unordered_map<std::string, LiveCall> live_calls_;
  HotState hot_;
};

}  // namespace sb::service
