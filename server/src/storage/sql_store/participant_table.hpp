#pragma once
// The call_participants table: who was rung for each call, and how each ring ended.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class ParticipantTable {
 public:
  explicit ParticipantTable(sql::Database& db) : db_(db) {}

  /// Rings `target` for a new call.
  /// Rings `targets` for a new call, in one statement.
  void ring(const Call& call, const std::vector<RingTarget>& targets);
  /// Rings `target` for a call that is still ringing, again if their ring was withdrawn. False
  /// when nothing changed (the call rings no more, or the ring was there already).
  bool ring_more(const std::string& org_id, const std::string& call_id, const RingTarget& target,
                 std::int64_t now_ms);

  /// Staff still ringing for the call, by id.
  std::vector<std::string> ringing_staff(const std::string& call_id);
  std::vector<Participant> of_call(const std::string& call_id);
  std::vector<RingStepRef> open_ring_steps();
  /// Ring steps still ringing that ended at or before `due_by_ms`, earliest first.
  std::vector<RingStepRef> ring_steps_due(std::int64_t due_by_ms, int limit);

  /// Ends every ring of the call still going with `outcome`; returns whose, by id.
  std::vector<std::string> end_ringing(const std::string& call_id, RingOutcome outcome,
                                       std::int64_t now_ms);
  /// The staff member took the call: their ring is `accepted`.
  void accept(const std::string& call_id, const std::string& staff_id, std::int64_t now_ms);
  /// Ends the staff member's ring for the call with `outcome` if it still rings; false if not.
  bool end_ring(const std::string& org_id, const std::string& call_id, const std::string& staff_id,
                RingOutcome outcome, std::int64_t now_ms);
  /// The staff member declines: like end_ring, but only while the call itself still rings.
  bool decline(const std::string& org_id, const std::string& call_id, const std::string& staff_id,
               std::int64_t now_ms);
  /// Ends every ring of the staff member still going with `outcome`; returns their calls,
  /// oldest ring first.
  std::vector<std::string> end_rings_of(const std::string& org_id, const std::string& staff_id,
                                        RingOutcome outcome, std::int64_t now_ms);

 private:
  /// Ends with `outcome` the rings still going that match `where` (its parameters in
  /// `where_params`), and hands `columns` of each to `read`: as one `UPDATE ... RETURNING` where
  /// a statement is a round trip, otherwise as a read and then the `UPDATE` in the caller's
  /// transaction (sql::Dialect::statement_is_round_trip).
  void end_rings_where(std::string_view columns, std::string_view where,
                       const sql::Params& where_params, RingOutcome outcome, std::int64_t now_ms,
                       const std::function<void(sql::Rows&)>& read);

  sql::Database& db_;
};

}  // namespace sb::storage
