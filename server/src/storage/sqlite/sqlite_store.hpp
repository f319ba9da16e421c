#pragma once
// The Store on SQLite: one connection in WAL mode with synchronous=FULL, so a transition is on
// disk before the server announces it. Used from the server's single io thread.

#include <functional>
#include <memory>
#include <string>
#include <type_traits>

#include "storage/sqlite/sqlite_db.hpp"
#include "storage/sqlite/wal_checkpointer.hpp"
#include "storage/store.hpp"

namespace sb::storage::sqlite {

class SqliteStore final : public Store {
 public:
  /// Opens the database file (creating its folder's file, not the folder). Throws SqliteError
  /// when it can't be opened: that is a start-up failure.
  explicit SqliteStore(const std::string& path);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// Checkpoints run so far by the background checkpointer (none in memory).
  std::int64_t checkpoints() const;

  /// Group commit here: synchronous=NORMAL, and one fdatasync of the WAL file for many commits.
  /// Without it every commit is fsynced (synchronous=FULL) before it returns.
  void enable_group_commit(GroupCommit::Post post) override;
  void after_commit_durable(std::function<void()> fn) override;
  void stop_group_commit() override;
  double commit_wait_ms() const override { return syncer_ ? syncer_->oldest_wait_ms() : 0; }

  void set_operation_observer(OperationObserver observer) override {
    observer_ = std::move(observer);
  }
  Result<void> migrate() override;
  bool ping() override;

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
                             const std::string& staff_id, std::int64_t now_ms,
                             int max_missed) override;
  Result<std::vector<std::string>> withdraw_rings(const std::string& org_id,
                                                  const std::string& staff_id,
                                                  std::int64_t now_ms) override;

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

  Result<void> add_quality_sample(const std::string& call_id, const std::string& side,
                                  const QualitySample& sample) override;
  Result<CallQuality> quality_of(const std::string& call_id) override;
  Result<void> save_feedback(const std::string& call_id, const std::string& user_id,
                             const Feedback& feedback, std::int64_t now_ms) override;
  Result<std::vector<FeedbackEntry>> feedback_of(const std::string& call_id) override;
  Result<std::vector<Call>> calls_created_since(const std::string& org_id,
                                                std::int64_t since_ms) override;

  void enable_outbox(OutboxRenderer render) override;
  Result<std::vector<WebhookEvent>> due_webhooks(std::int64_t now_ms, int limit) override;
  Result<void> webhook_delivered(std::int64_t id, std::int64_t now_ms) override;
  Result<void> webhook_failed(std::int64_t id, std::int64_t next_attempt_ms,
                              const std::string& error) override;
  Result<std::int64_t> webhook_pending() override;

  Result<std::vector<CallRef>> ringing_calls() override;
  Result<std::vector<CallRef>> accepted_calls() override;
  Result<std::vector<CallRef>> open_calls() override;
  Result<std::vector<RingStepRef>> open_ring_steps() override;
  Result<std::vector<WrapUpRef>> wrap_ups_after(std::int64_t now_ms) override;

 private:
  std::optional<Call> load_call(const std::string& org_id, const std::string& call_id);
  std::vector<std::string> ringing_staff_of(const std::string& call_id);
  std::vector<Participant> read_participants(const std::string& call_id);
  void touch_staff(const std::string& org_id, const std::string& staff_id, std::int64_t now_ms);
  void count_missed_ring(const std::string& org_id, const std::string& staff_id,
                         std::int64_t now_ms, int max_missed);
  std::vector<StaffEntry> query_staff(const std::string& org_id,
                                      const std::optional<std::string>& staff_id,
                                      std::int64_t now_ms, std::int64_t presence_grace_ms);

  void write_outbox(const Call& call, std::int64_t now_ms);
  template <typename F>
  auto guarded(F&& fn) -> Result<std::invoke_result_t<F>>;
  /// Rows of (org_id, id, a time) as CallRefs.
  Result<std::vector<CallRef>> call_refs(const std::string& sql);

  Database db_;
  /// Null for an in-memory database, which has no WAL.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  int wal_fd_ = -1;
  std::unique_ptr<GroupCommit> syncer_;
  std::string path_;
  OutboxRenderer render_outbox_;
  OperationObserver observer_;
};

}  // namespace sb::storage::sqlite
