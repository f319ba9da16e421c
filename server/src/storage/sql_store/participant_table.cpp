#include "storage/sql_store/participant_table.hpp"

#include <algorithm>

#include "storage/store_common.hpp"

namespace sb::storage {

void ParticipantTable::ring(const Call& call, const std::vector<RingTarget>& targets) {
  if (targets.empty()) return;
  std::string sql =
      "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, outcome) "
      "VALUES ";
  sql::Params params;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    sql += i ? ", (?, ?, ?, ?, ?, 'ringing')" : "(?, ?, ?, ?, ?, 'ringing')";
    params.insert(params.end(), {call.id, call.org_id, targets[i].staff_id, call.created_at_ms,
                                 targets[i].ring_until_ms});
  }
  db_.run(sql, params);
}

bool ParticipantTable::ring_more(const std::string& org_id, const std::string& call_id,
                                 const RingTarget& target, std::int64_t now_ms) {
  return db_.run(
             "INSERT INTO call_participants (call_id, org_id, staff_id, rung_at, ring_until, "
             "outcome) SELECT ?1, ?2, ?3, ?4, ?5, 'ringing' WHERE EXISTS (SELECT 1 FROM calls "
             "WHERE id = ?1 AND org_id = ?2 AND state = 'ringing') ON CONFLICT (call_id, "
             "staff_id) DO UPDATE SET rung_at = ?4, ring_until = ?5, outcome = 'ringing', "
             "ended_at = NULL WHERE call_participants.outcome = 'withdrawn'",
             {call_id, org_id, target.staff_id, now_ms, target.ring_until_ms}) > 0;
}

std::vector<std::string> ParticipantTable::ringing_staff(const std::string& call_id) {
  auto rows = db_.query(
      "SELECT staff_id FROM call_participants WHERE call_id = ? AND outcome = 'ringing' "
      "ORDER BY staff_id",
      {call_id});
  std::vector<std::string> out;
  while (rows.next()) out.push_back(rows.text(0));
  return out;
}

std::vector<Participant> ParticipantTable::of_call(const std::string& call_id) {
  auto rows = db_.query(
      "SELECT staff_id, rung_at, ring_until, outcome FROM call_participants WHERE call_id = ? "
      "ORDER BY rung_at, staff_id",
      {call_id});
  std::vector<Participant> out;
  while (rows.next()) {
    out.push_back({rows.text(0), rows.int64(1), rows.opt_int64(2),
                   call::parse_ring_outcome(rows.text(3)).value_or(RingOutcome::kRinging)});
  }
  return out;
}

std::vector<RingStepRef> ParticipantTable::open_ring_steps() {
  auto rows = db_.query(
      "SELECT org_id, call_id, staff_id, ring_until FROM call_participants WHERE outcome = "
      "'ringing' AND ring_until IS NOT NULL",
      {});
  std::vector<RingStepRef> out;
  while (rows.next()) out.push_back({rows.text(0), rows.text(1), rows.text(2), rows.int64(3)});
  return out;
}

std::vector<RingStepRef> ParticipantTable::ring_steps_due(std::int64_t due_by_ms, int limit) {
  auto rows = db_.query(
      "SELECT org_id, call_id, staff_id, ring_until FROM call_participants WHERE outcome = "
      "'ringing' AND ring_until <= ? ORDER BY ring_until LIMIT ?",
      {due_by_ms, limit});
  std::vector<RingStepRef> out;
  while (rows.next()) out.push_back({rows.text(0), rows.text(1), rows.text(2), rows.int64(3)});
  return out;
}

std::vector<std::string> ParticipantTable::end_ringing(const std::string& call_id,
                                                       RingOutcome outcome, std::int64_t now_ms) {
  std::vector<std::string> ended;
  end_rings_where("staff_id", "call_id = ?", {call_id}, outcome, now_ms,
                  [&ended](sql::Rows& rows) { ended.push_back(rows.text(0)); });
  std::sort(ended.begin(), ended.end());
  return ended;
}

void ParticipantTable::accept(const std::string& call_id, const std::string& staff_id,
                              std::int64_t now_ms) {
  db_.run(
      "UPDATE call_participants SET outcome = 'accepted', ended_at = ? WHERE call_id = ? AND "
      "staff_id = ?",
      {now_ms, call_id, staff_id});
}

bool ParticipantTable::end_ring(const std::string& org_id, const std::string& call_id,
                                const std::string& staff_id, RingOutcome outcome,
                                std::int64_t now_ms) {
  return db_.run(
             "UPDATE call_participants SET outcome = ?, ended_at = ? WHERE org_id = ? AND "
             "call_id = ? AND staff_id = ? AND outcome = 'ringing'",
             {to_string(outcome), now_ms, org_id, call_id, staff_id}) > 0;
}

bool ParticipantTable::decline(const std::string& org_id, const std::string& call_id,
                               const std::string& staff_id, std::int64_t now_ms) {
  return db_.run(
             "UPDATE call_participants SET outcome = 'declined', ended_at = ? WHERE org_id = ? "
             "AND call_id = ? AND staff_id = ? AND outcome = 'ringing' AND EXISTS (SELECT 1 "
             "FROM calls WHERE id = call_participants.call_id AND state = 'ringing')",
             {now_ms, org_id, call_id, staff_id}) > 0;
}

std::vector<std::string> ParticipantTable::end_rings_of(const std::string& org_id,
                                                        const std::string& staff_id,
                                                        RingOutcome outcome, std::int64_t now_ms) {
  std::vector<std::pair<std::int64_t, std::string>> ended;
  end_rings_where("rung_at, call_id", "org_id = ? AND staff_id = ?", {org_id, staff_id}, outcome,
                  now_ms,
                  [&ended](sql::Rows& rows) { ended.emplace_back(rows.int64(0), rows.text(1)); });
  std::sort(ended.begin(), ended.end());
  std::vector<std::string> calls;
  for (auto& [rung_at, call_id] : ended) calls.push_back(std::move(call_id));
  return calls;
}

void ParticipantTable::end_rings_where(std::string_view columns, std::string_view where,
                                       const sql::Params& where_params, RingOutcome outcome,
                                       std::int64_t now_ms,
                                       const std::function<void(sql::Rows&)>& read) {
  const std::string condition = " WHERE " + std::string(where) + " AND outcome = 'ringing'";
  const std::string update = "UPDATE call_participants SET outcome = ?, ended_at = ?" + condition;
  sql::Params params{to_string(outcome), now_ms};
  params.insert(params.end(), where_params.begin(), where_params.end());
  if (db_.dialect().statement_is_round_trip) {
    // One statement ends the rings and names them: nothing can slip in between.
    auto rows = db_.query(update + " RETURNING " + std::string(columns), params);
    while (rows.next()) read(rows);
    return;
  }
  // In SQLite's transaction, which holds the write lock, nothing changes between the two.
  bool any = false;
  {
    auto rows = db_.query("SELECT " + std::string(columns) + " FROM call_participants" + condition,
                          where_params);
    while (rows.next()) {
      read(rows);
      any = true;
    }
  }
  if (any) db_.run(update, params);
}

}  // namespace sb::storage
