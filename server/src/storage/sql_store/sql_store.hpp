#pragma once
// The Store on SQL, written once for every database with a driver (storage/sql/database.hpp):
// SQLite (sqlite/sqlite_store.hpp) and PostgreSQL (postgres/postgres_store.hpp). Each table's
// SQL is in its own class beside this one; this class makes the store's operations of them:
// sql_store.cpp has those that write several tables in one transaction (create, transition,
// rings), the webhook outbox, group commit and migrations; sql_store_one_table.cpp the rest.
// A database failure becomes `unavailable`, a unique violation the race it decides.
// Used from the server's single io thread.

#include <functional>
#include <memory>
#include <string>

#include "storage/sql/database.hpp"
#include "storage/sql_store/call_table.hpp"
#include "storage/sql_store/feedback_table.hpp"
#include "storage/sql_store/participant_table.hpp"
#include "storage/sql_store/presence_table.hpp"
#include "storage/sql_store/quality_table.hpp"
#include "storage/sql_store/staff_table.hpp"
#include "storage/sql_store/webhook_outbox.hpp"
#include "storage/store.hpp"
#include "storage/write_health.hpp"

namespace sb::storage {

class SqlStore : public Store {
 public:
  explicit SqlStore(std::unique_ptr<sql::Database> db);
  ~SqlStore() override = default;
  SqlStore(const SqlStore&) = delete;
  SqlStore& operator=(const SqlStore&) = delete;

  void set_operation_observer(OperationObserver observer) override {
    observer_ = std::move(observer);
  }
  void enable_group_commit(GroupCommit::Post post) override;
  void after_commit_durable(std::function<void()> fn) override;
  void stop_group_commit() override;
  double commit_wait_ms() const override { return group_ ? group_->oldest_wait_ms() : 0; }
  std::int64_t durable_syncs() const override { return group_ ? group_->syncs() : 0; }

  Result<void> migrate() override;
  /// The database answers and takes writes, and no write failed lately (write_health.hpp).
  bool ping() override { return db_->ping() && writes_.healthy(); }

  Result<CreateOutcome> create_call(const Call& call, const std::vector<RingTarget>& ring,
                                    const std::optional<std::string>& idempotency_key) override;
  Result<std::optional<Call>> find_call(const std::string& org_id,
                                        const std::string& call_id) override;
  Result<std::optional<Call>> find_call_by_idempotency_key(const std::string& org_id,
                                                           const std::string& caller_id,
                                                           const std::string& key) override;
  Result<CallPage> list_calls(const CallQuery& query) override;
  Result<std::vector<Participant>> participants(const std::string& call_id) override;
  Result<std::vector<Call>> open_calls_of_user(const std::string& org_id,
                                               const std::string& user_id) override;
  Result<TransitionOutcome> transition(const TransitionRequest& request) override;
  Result<std::vector<std::string>> add_ring_targets(const std::string& org_id,
                                                    const std::string& call_id,
                                                    const std::vector<RingTarget>& ring,
                                                    std::int64_t now_ms) override;
  Result<DeclineOutcome> decline(const std::string& org_id, const std::string& call_id,
                                 const std::string& staff_id, std::int64_t now_ms) override;
  Result<bool> end_ring_step(const std::string& org_id, const std::string& call_id,
                             const std::string& staff_id, std::int64_t now_ms, int max_missed,
                             bool counts_as_missed) override;
  Result<std::vector<std::string>> withdraw_rings(const std::string& org_id,
                                                  const std::string& staff_id,
                                                  std::int64_t now_ms) override;

  Result<std::vector<Call>> queued_calls(const std::string& org_id) override;
  Result<std::vector<CallRef>> queued_call_refs() override;
  Result<std::vector<std::int64_t>> recent_handle_times_ms(const std::string& org_id,
                                                           int limit) override;
  Result<void> set_staff_skills(const std::string& org_id, const std::string& staff_id,
                                const std::vector<std::string>& skills) override;

  Result<void> upsert_staff(const std::string& org_id, const std::string& staff_id,
                            const std::string& name, std::int64_t now_ms) override;
  Result<void> set_staff_status(const std::string& org_id, const std::string& staff_id,
                                call::StaffStatus status, std::int64_t now_ms) override;
  Result<std::vector<StaffEntry>> list_staff(const std::string& org_id, std::int64_t now_ms,
                                             std::int64_t presence_grace_ms) override;
  Result<std::optional<StaffEntry>> find_staff(const std::string& org_id,
                                               const std::string& staff_id, std::int64_t now_ms,
                                               std::int64_t presence_grace_ms) override;

  Result<void> presence_connect(const std::string& org_id, const std::string& user_id,
                                const std::string& node_id) override;
  Result<int> presence_disconnect(const std::string& org_id, const std::string& user_id,
                                  const std::string& node_id, std::int64_t now_ms) override;
  Result<bool> is_present(const std::string& org_id, const std::string& user_id,
                          std::int64_t now_ms, std::int64_t grace_ms) override;
  Result<bool> ever_connected(const std::string& org_id, const std::string& user_id) override;
  Result<void> presence_reset(const std::string& node_id, std::int64_t now_ms) override;
  Result<bool> node_heartbeat(const std::string& node_id, std::int64_t now_ms) override;
  Result<std::vector<ReapedPresence>> reap_dead_nodes(const std::string& self,
                                                      std::int64_t dead_before_ms) override;
  Result<void> presence_restore(const std::string& node_id,
                                const std::vector<LocalPresence>& users) override;

  Result<void> add_quality_sample(const std::string& call_id, const std::string& side,
                                  const QualitySample& sample) override;
  Result<CallQuality> quality_of(const std::string& call_id) override;
  Result<void> save_feedback(const std::string& call_id, const std::string& user_id,
                             const Feedback& feedback, std::int64_t now_ms) override;
  Result<std::vector<FeedbackEntry>> feedback_of(const std::string& call_id) override;
  Result<std::vector<Call>> calls_created_since(const std::string& org_id,
                                                std::int64_t since_ms) override;

  void enable_outbox(OutboxRenderer render) override { render_outbox_ = std::move(render); }
  Result<std::vector<WebhookEvent>> due_webhooks(std::int64_t now_ms, int limit) override;
  Result<void> webhook_delivered(std::int64_t id, std::int64_t now_ms) override;
  Result<void> webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                              const std::string& error) override;
  Result<std::int64_t> webhook_pending() override;

  Result<std::vector<CallRef>> ringing_calls() override;
  Result<std::vector<CallRef>> accepted_calls() override;
  Result<std::vector<CallRef>> open_calls() override;
  Result<std::vector<RingStepRef>> open_ring_steps() override;
  Result<DueCalls> due_calls(std::int64_t due_by_ms, std::int64_t accepted_by_ms,
                             int limit) override;
  Result<std::vector<RingStepRef>> due_ring_steps(std::int64_t due_by_ms, int limit) override;
  Result<std::vector<WrapUpRef>> wrap_ups_after(std::int64_t now_ms) override;
  Result<std::vector<WrapUpRef>> due_wrap_up_ends(std::int64_t due_by_ms, int limit) override;
  Result<bool> claim_wrap_up_end(const WrapUpRef& wrap_up) override;

 private:
  /// With the outbox on: the call as it is now, for the webhooks, in the open transaction.
  void write_outbox(const Call& call, std::int64_t now_ms);
  /// Transfer: the new call and its rings, in the open transaction of the old call's move.
  void insert_successor(const TransitionRequest& r, TransitionOutcome& out,
                        const std::function<void(const std::string&)>& changed);
  /// Runs `read` without counting its statements for the group commit, then counts it once if
  /// `found` says it found something. The due check reads twice a second on every node and
  /// mostly finds nothing; that nothing leads to no announcement, so the next answer need not
  /// wait for a sync because of it (a paused PostgreSQL would hold that answer until it woke).
  template <typename T>
  Result<T> read_uncounted_unless_found(const std::function<T()>& read,
                                        const std::function<bool(const T&)>& found) {
    return uncounted_unless_found(nullptr, read, found);
  }
  /// The same for an operation that may write (`writes` hears of its failures), such as a node's
  /// heartbeat, which no answer waits for either.
  template <typename T>
  Result<T> uncounted_unless_found(WriteHealth* writes, const std::function<T()>& operation,
                                   const std::function<bool(const T&)>& found);

  std::unique_ptr<sql::Database> db_;
  CallTable calls_;
  ParticipantTable participants_;
  StaffTable staff_;
  PresenceTable presence_;
  QualityTable quality_;
  FeedbackTable feedback_;
  WebhookOutbox outbox_;
  OutboxRenderer render_outbox_;
  OperationObserver observer_;
  WriteHealth writes_;
  /// While true, statements do not count for the group commit (read_uncounted_unless_found).
  bool uncounted_ = false;
  /// Declared after db_, so it goes first: its thread may be using the database's means of
  /// making commits durable.
  std::unique_ptr<GroupCommit> group_;
};

}  // namespace sb::storage
