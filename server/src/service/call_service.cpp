#include "service/call_service.hpp"

#include <set>

#include "service/call_json.hpp"

namespace sb::service {

CallService::CallService(storage::Store& store, bus::Bus& bus, Scheduler& scheduler,
                         const Clock& clock, CallTimings timings, IceConfig ice,
                         CallObserver* observer)
    : timings_(std::move(timings)),
      ice_(std::move(ice)),
      hot_(timings_.single_node),
      ctx_{store,
           bus,
           scheduler,
           clock,
           timings_,
           ice_,
           observer ? *observer : default_observer_,
           hot_,
           std::nullopt,
           {}},
      reads_(ctx_),
      access_(ctx_, reads_),
      announcer_(ctx_, reads_, timers_),
      timers_(ctx_, reads_, transitions_, router_, announcer_, presence_),
      router_(ctx_, reads_, announcer_, timers_, transitions_, queue_),
      transitions_(ctx_, timers_, announcer_, router_, live_calls_, quality_, queue_),
      presence_(ctx_, timers_, announcer_, router_, transitions_),
      queue_(ctx_, reads_, announcer_, timers_, transitions_, router_),
      commands_(ctx_, reads_, access_, router_, timers_, announcer_, transitions_, queue_),
      live_calls_(ctx_, access_),
      quality_(ctx_, access_),
      ops_(ctx_) {}

Result<void> CallService::recover() {
  auto recovered = timers_.recover();
  if (recovered) presence_.first_heartbeat();
  return recovered;
}

void CallService::sweep() {
  live_calls_.forget_stale(ctx_.clock.now_ms());
  // A backstop to the promotions staff changes set off (on this node or another).
  if (auto queued = ctx_.store.queued_call_refs()) {
    std::set<std::string> orgs;
    for (const auto& ref : *queued) orgs.insert(ref.org_id);
    for (const auto& org_id : orgs) queue_.promote(org_id);
  }
}

bool CallService::take_over_due() {
  presence_.watch_nodes();
  return timers_.take_over_due();
}

Result<CreateCallResult> CallService::create_call(const Principal& user,
                                                  const CreateCallRequest& request) {
  return commands_.create_call(user, request);
}

Result<Call> CallService::get_call(const Principal& user, const std::string& call_id) {
  return access_.get_call(user, call_id);
}

Result<storage::CallPage> CallService::list_calls(const Principal& user, storage::CallQuery query) {
  return access_.list_calls(user, std::move(query));
}

Result<Call> CallService::accept(const Principal& user, const std::string& call_id) {
  return commands_.accept(user, call_id);
}

Result<Call> CallService::decline(const Principal& user, const std::string& call_id) {
  return commands_.decline(user, call_id);
}

Result<Call> CallService::cancel(const Principal& user, const std::string& call_id) {
  return commands_.cancel(user, call_id);
}

Result<Call> CallService::connected(const Principal& user, const std::string& call_id,
                                    const std::optional<std::string>& candidate_type) {
  return commands_.connected(user, call_id, candidate_type);
}

Result<Call> CallService::end(const Principal& user, const std::string& call_id,
                              const std::optional<std::string>& reason) {
  return commands_.end(user, call_id, reason);
}

Result<Call> CallService::transfer(const Principal& user, const std::string& call_id,
                                   const std::optional<std::string>& staff_id,
                                   const std::optional<std::string>& topic) {
  return commands_.transfer(user, call_id, staff_id, topic);
}

Result<std::vector<Call>> CallService::queued_calls(const Principal& user) {
  return queue_.list(user);
}

std::int64_t CallService::queue_length(const std::string& org_id) {
  auto length = queue_.length(org_id);
  return length ? *length : 0;
}

Result<void> CallService::add_quality(const Principal& user, const std::string& call_id,
                                      const storage::QualitySample& sample) {
  return quality_.add_quality(user, call_id, sample);
}

Result<Call> CallService::give_feedback(const Principal& user, const std::string& call_id,
                                        const storage::Feedback& feedback) {
  return quality_.give_feedback(user, call_id, feedback);
}

Result<boost::json::object> CallService::ops_summary(const Principal& user,
                                                     std::int64_t window_ms) {
  return ops_.summary(user, window_ms);
}

boost::json::object CallService::render(const Call& call) {
  if (call.state == call::CallState::kQueued && !call.queue) {
    Call placed = call;
    queue_.place(placed);
    return call_for_wire(placed, std::nullopt);
  }
  return call_for_wire(call, quality_.quality_shown(call));
}

Result<std::vector<storage::StaffEntry>> CallService::list_staff(const Principal& user) {
  return presence_.list_staff(user);
}

Result<storage::StaffEntry> CallService::set_my_status(const Principal& user,
                                                       call::StaffStatus status) {
  return presence_.set_my_status(user, status);
}

Result<Call> CallService::participant_call(const Principal& user, const std::string& call_id) {
  return access_.participant_call(user, call_id);
}

Result<std::string> CallService::signal_peer(const Principal& user, const std::string& call_id) {
  return live_calls_.signal_peer(user, call_id);
}

void CallService::connection_opened(const Principal& user) {
  presence_.connection_opened(user);
}

void CallService::connection_closed(const Principal& user) {
  presence_.connection_closed(user);
}

Result<std::vector<Call>> CallService::open_calls_of(const Principal& user) {
  return access_.open_calls_of(user);
}

Result<boost::json::object> CallService::ice_servers_for(
    const Principal& user, const std::optional<std::string>& call_id) {
  std::optional<std::string> profile;
  if (call_id) {
    auto c = access_.participant_call(user, *call_id);
    if (!c) return c.error();
    profile = c->ice_profile;
  }
  return announcer_.ice_servers_for(user.user_id, profile);
}

}  // namespace sb::service
