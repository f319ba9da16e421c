#pragma once
// The calls table, and the idempotency keys of their creates.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class CallTable {
 public:
  explicit CallTable(sql::Database& db) : db_(db) {}

  std::optional<Call> find(const std::string& org_id, const std::string& call_id);
  /// The id of the call an earlier create of this caller made with `key`, if any.
  std::optional<std::string> id_for_key(const std::string& org_id, const std::string& caller_id,
                                        const std::string& key);
  /// The caller's call that is not over yet, if any.
  std::optional<std::string> open_call_of_caller(const std::string& org_id,
                                                 const std::string& caller_id);
  /// Inserts `call` in its state (ringing or queued).
  void insert(const Call& call);
  void remember_key(const Call& call, const std::string& key);

  CallPage list(const CallQuery& query);
  /// The user's calls not over yet: as caller, as the accepted staff member, or ringing for them.
  std::vector<Call> open_of_user(const std::string& org_id, const std::string& user_id);
  std::vector<Call> created_since(const std::string& org_id, std::int64_t since_ms);

  /// The conditional UPDATE that decides races: moves the call from one of `r.from` to `r.to`,
  /// and for an accept only if `r.accepting_staff` is ringing for it. The row as moved
  /// (RETURNING: no read back); nullopt when it did not move.
  std::optional<Call> move(const TransitionRequest& r);

  /// Takes the call's row lock (PostgreSQL) if it still rings; false when it does not.
  bool hold_if_ringing(const std::string& org_id, const std::string& call_id);

  std::vector<CallRef> ringing();
  /// `deadline_ms` holds when each was accepted.
  std::vector<CallRef> accepted();
  std::vector<CallRef> open();
  /// The org's queued calls, first in first out.
  std::vector<Call> queued(const std::string& org_id);
  /// What is due (Store::due_calls).
  DueCalls due(std::int64_t due_by_ms, std::int64_t accepted_by_ms, int limit);
  /// Every queued call; `deadline_ms` is its queue deadline.
  std::vector<CallRef> queued_refs();
  /// Accept-to-end durations of the org's latest ended calls, newest first.
  std::vector<std::int64_t> handle_times_ms(const std::string& org_id, int limit);

 private:
  std::vector<Call> calls(std::string_view sql, const sql::Params& params);
  std::vector<CallRef> refs(std::string_view sql);

  sql::Database& db_;
};

}  // namespace sb::storage
