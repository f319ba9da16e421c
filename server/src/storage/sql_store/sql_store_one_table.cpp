// The SqlStore operations that each touch one table: the table's method, timed and guarded.

#include "storage/sql_store/operation_timer.hpp"
#include "storage/sql_store/sql_store.hpp"

namespace sb::storage {

// --- Calls ---

Result<std::optional<Call>> SqlStore::find_call(const std::string& org_id,
                                                const std::string& call_id) {
  return guarded(observer_, [&] { return calls_.find(org_id, call_id); });
}

Result<std::optional<Call>> SqlStore::find_call_by_idempotency_key(const std::string& org_id,
                                                                   const std::string& caller_id,
                                                                   const std::string& key) {
  return guarded(observer_, [&]() -> std::optional<Call> {
    auto id = calls_.id_for_key(org_id, caller_id, key);
    if (!id) return std::nullopt;
    return calls_.find(org_id, *id);
  });
}

Result<CallPage> SqlStore::list_calls(const CallQuery& query) {
  return guarded(observer_, [&] { return calls_.list(query); });
}

Result<std::vector<Participant>> SqlStore::participants(const std::string& call_id) {
  return guarded(observer_, [&] { return participants_.of_call(call_id); });
}

Result<std::vector<Call>> SqlStore::open_calls_of_user(const std::string& org_id,
                                                       const std::string& user_id) {
  return guarded(observer_, [&] { return calls_.open_of_user(org_id, user_id); });
}

Result<std::vector<Call>> SqlStore::calls_created_since(const std::string& org_id,
                                                        std::int64_t since_ms) {
  return guarded(observer_, [&] { return calls_.created_since(org_id, since_ms); });
}

// --- The queue ---

Result<std::vector<Call>> SqlStore::queued_calls(const std::string& org_id) {
  return guarded(observer_, [&] { return calls_.queued(org_id); });
}

Result<std::vector<CallRef>> SqlStore::queued_call_refs() {
  return guarded(observer_, [&] { return calls_.queued_refs(); });
}

Result<std::vector<std::int64_t>> SqlStore::recent_handle_times_ms(const std::string& org_id,
                                                                   int limit) {
  return guarded(observer_, [&] { return calls_.handle_times_ms(org_id, limit); });
}

// --- Staff and presence ---

Result<void> SqlStore::set_staff_skills(const std::string& org_id, const std::string& staff_id,
                                        const std::vector<std::string>& skills) {
  return guarded(observer_, &writes_, [&] { staff_.set_skills(org_id, staff_id, skills); });
}

Result<void> SqlStore::upsert_staff(const std::string& org_id, const std::string& staff_id,
                                    const std::string& name, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] { staff_.upsert(org_id, staff_id, name, now_ms); });
}

Result<void> SqlStore::set_staff_status(const std::string& org_id, const std::string& staff_id,
                                        call::StaffStatus status, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] { staff_.set_status(org_id, staff_id, status, now_ms); });
}

Result<std::vector<StaffEntry>> SqlStore::list_staff(const std::string& org_id, std::int64_t now_ms,
                                                     std::int64_t presence_grace_ms) {
  return guarded(observer_,
                 [&] { return staff_.list(org_id, std::nullopt, now_ms, presence_grace_ms); });
}

Result<std::optional<StaffEntry>> SqlStore::find_staff(const std::string& org_id,
                                                       const std::string& staff_id,
                                                       std::int64_t now_ms,
                                                       std::int64_t presence_grace_ms) {
  return guarded(observer_, [&]() -> std::optional<StaffEntry> {
    auto one = staff_.list(org_id, staff_id, now_ms, presence_grace_ms);
    if (one.empty()) return std::nullopt;
    return std::move(one.front());
  });
}

Result<void> SqlStore::presence_connect(const std::string& org_id, const std::string& user_id,
                                        const std::string& node_id) {
  return guarded(observer_, &writes_, [&] { presence_.connect(org_id, user_id, node_id); });
}

Result<int> SqlStore::presence_disconnect(const std::string& org_id, const std::string& user_id,
                                          const std::string& node_id, std::int64_t now_ms) {
  return guarded(observer_, &writes_,
                 [&] { return presence_.disconnect(org_id, user_id, node_id, now_ms); });
}

Result<bool> SqlStore::is_present(const std::string& org_id, const std::string& user_id,
                                  std::int64_t now_ms, std::int64_t grace_ms) {
  return guarded(observer_,
                 [&] { return presence_.is_present(org_id, user_id, now_ms, grace_ms); });
}

Result<bool> SqlStore::ever_connected(const std::string& org_id, const std::string& user_id) {
  return guarded(observer_, [&] { return presence_.ever_connected(org_id, user_id); });
}

Result<void> SqlStore::presence_reset(const std::string& node_id, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] { presence_.reset(node_id, now_ms); });
}

// Twice a second on every node, and mostly with nothing found: like the due check, they do not
// make the next answer wait for a sync (a stopped PostgreSQL would hold it until it was back).
Result<bool> SqlStore::node_heartbeat(const std::string& node_id, std::int64_t now_ms) {
  return uncounted_unless_found<bool>(
      &writes_, [&] { return presence_.heartbeat(node_id, now_ms); }, [](bool) { return false; });
}

Result<std::vector<ReapedPresence>> SqlStore::reap_dead_nodes(const std::string& self,
                                                              std::int64_t dead_before_ms) {
  return uncounted_unless_found<std::vector<ReapedPresence>>(
      &writes_, [&] { return presence_.reap_dead_nodes(self, dead_before_ms); },
      [](const std::vector<ReapedPresence>& reaped) { return !reaped.empty(); });
}

Result<void> SqlStore::presence_restore(const std::string& node_id,
                                        const std::vector<LocalPresence>& users) {
  return guarded(observer_, &writes_, [&] { presence_.restore(node_id, users); });
}

// --- Quality and feedback ---

Result<void> SqlStore::add_quality_sample(const std::string& call_id, const std::string& side,
                                          const QualitySample& sample) {
  return guarded(observer_, &writes_, [&] { quality_.add_sample(call_id, side, sample); });
}

Result<CallQuality> SqlStore::quality_of(const std::string& call_id) {
  return guarded(observer_, [&] { return quality_.of_call(call_id); });
}

Result<void> SqlStore::save_feedback(const std::string& call_id, const std::string& user_id,
                                     const Feedback& feedback, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] { feedback_.save(call_id, user_id, feedback, now_ms); });
}

Result<std::vector<FeedbackEntry>> SqlStore::feedback_of(const std::string& call_id) {
  return guarded(observer_, [&] { return feedback_.of_call(call_id); });
}

// --- Webhook outbox ---

Result<std::vector<WebhookEvent>> SqlStore::due_webhooks(std::int64_t now_ms, int limit) {
  return guarded(observer_, [&] { return outbox_.due(now_ms, limit); });
}

Result<void> SqlStore::webhook_delivered(std::int64_t id, std::int64_t now_ms) {
  return guarded(observer_, &writes_, [&] { outbox_.delivered(id, now_ms); });
}

Result<void> SqlStore::webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                                      const std::string& error) {
  return guarded(observer_, &writes_, [&] { outbox_.failed(id, next_attempt_ms, error); });
}

Result<std::int64_t> SqlStore::webhook_pending() {
  return guarded(observer_, [&] { return outbox_.pending(); });
}

// --- Timers and recovery ---

Result<std::vector<CallRef>> SqlStore::ringing_calls() {
  return guarded(observer_, [&] { return calls_.ringing(); });
}

Result<std::vector<CallRef>> SqlStore::accepted_calls() {
  return guarded(observer_, [&] { return calls_.accepted(); });
}

Result<std::vector<CallRef>> SqlStore::open_calls() {
  return guarded(observer_, [&] { return calls_.open(); });
}

Result<std::vector<RingStepRef>> SqlStore::open_ring_steps() {
  return guarded(observer_, [&] { return participants_.open_ring_steps(); });
}

template <typename T>
Result<T> SqlStore::uncounted_unless_found(WriteHealth* writes, const std::function<T()>& operation,
                                           const std::function<bool(const T&)>& found) {
  struct CountAgain {
    bool& uncounted;
    ~CountAgain() { uncounted = false; }
  };
  Result<T> out = [&] {
    uncounted_ = true;
    CountAgain after{uncounted_};
    return guarded(observer_, writes, operation);
  }();
  if (out && found(*out) && group_) group_->committed();
  return out;
}

Result<DueCalls> SqlStore::due_calls(std::int64_t due_by_ms, std::int64_t accepted_by_ms,
                                     int limit) {
  return read_uncounted_unless_found<DueCalls>(
      [&] { return calls_.due(due_by_ms, accepted_by_ms, limit); },
      [](const DueCalls& d) {
        return !d.ringing.empty() || !d.queued.empty() || !d.accepted.empty();
      });
}

Result<std::vector<RingStepRef>> SqlStore::due_ring_steps(std::int64_t due_by_ms, int limit) {
  return read_uncounted_unless_found<std::vector<RingStepRef>>(
      [&] { return participants_.ring_steps_due(due_by_ms, limit); },
      [](const std::vector<RingStepRef>& steps) { return !steps.empty(); });
}

Result<std::vector<WrapUpRef>> SqlStore::wrap_ups_after(std::int64_t now_ms) {
  return guarded(observer_, [&] { return staff_.wrap_ups_after(now_ms); });
}

Result<std::vector<WrapUpRef>> SqlStore::due_wrap_up_ends(std::int64_t due_by_ms, int limit) {
  return read_uncounted_unless_found<std::vector<WrapUpRef>>(
      [&] { return staff_.due_wrap_up_ends(due_by_ms, limit); },
      [](const std::vector<WrapUpRef>& due) { return !due.empty(); });
}

Result<bool> SqlStore::claim_wrap_up_end(const WrapUpRef& wrap_up) {
  return guarded(observer_, &writes_, [&] { return staff_.claim_wrap_up_end(wrap_up); });
}

}  // namespace sb::storage
