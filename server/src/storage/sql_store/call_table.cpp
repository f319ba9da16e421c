#include "storage/sql_store/call_table.hpp"

#include "storage/store_common.hpp"

namespace sb::storage {
namespace {

const std::string kCallColumns =
    "id, org_id, state, version, caller_id, caller_name, staff_id, staff_name, "
    "requested_staff_id, media_audio, media_video, metadata, created_at, ring_deadline, "
    "accepted_at, active_at, ended_at, end_reason, topic, queued_at, queue_deadline, "
    "transferred_from, transferred_to, ice_profile";

Call read_call(const sql::Rows& row) {
  Call c;
  c.id = row.text(0);
  c.org_id = row.text(1);
  c.state = call::parse_call_state(row.text(2)).value_or(CallState::kRinging);
  c.version = row.int64(3);
  c.caller = {row.text(4), row.text(5)};
  if (!row.is_null(6)) c.staff = Person{row.text(6), row.text(7)};
  c.requested_staff_id = row.opt_text(8);
  c.media = {row.int64(9) != 0, row.int64(10) != 0};
  c.metadata = metadata_from_json(row.text(11));
  c.created_at_ms = row.int64(12);
  c.ring_deadline_ms = row.int64(13);
  c.accepted_at_ms = row.opt_int64(14);
  c.active_at_ms = row.opt_int64(15);
  c.ended_at_ms = row.opt_int64(16);
  c.end_reason = row.opt_text(17);
  c.topic = row.opt_text(18);
  c.queued_at_ms = row.opt_int64(19);
  c.queue_deadline_ms = row.opt_int64(20);
  c.transferred_from = row.opt_text(21);
  c.transferred_to = row.opt_text(22);
  c.ice_profile = row.opt_text(23);
  return c;
}

/// `states` as an SQL list for `state IN (...)`. The names come from the enum, never from input.
std::string state_list(const std::vector<CallState>& states) {
  std::string out = "(";
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (i) out += ", ";
    out += "'";
    out += call::to_string(states[i]);
    out += "'";
  }
  return out + ")";
}

}  // namespace

std::vector<Call> CallTable::calls(std::string_view sql, const sql::Params& params) {
  auto rows = db_.query(sql, params);
  std::vector<Call> out;
  while (rows.next()) out.push_back(read_call(rows));
  return out;
}

std::optional<Call> CallTable::find(const std::string& org_id, const std::string& call_id) {
  auto rows = db_.query("SELECT " + kCallColumns + " FROM calls WHERE org_id = ? AND id = ?",
                        {org_id, call_id});
  if (!rows.next()) return std::nullopt;
  return read_call(rows);
}

std::optional<std::string> CallTable::id_for_key(const std::string& org_id,
                                                 const std::string& caller_id,
                                                 const std::string& key) {
  auto rows =
      db_.query("SELECT call_id FROM idempotency_keys WHERE org_id = ? AND user_id = ? AND key = ?",
                {org_id, caller_id, key});
  if (!rows.next()) return std::nullopt;
  return rows.text(0);
}

std::optional<std::string> CallTable::open_call_of_caller(const std::string& org_id,
                                                          const std::string& caller_id) {
  auto rows = db_.query("SELECT id FROM calls WHERE org_id = ? AND caller_id = ? AND " +
                            std::string(kOpenCallCondition),
                        {org_id, caller_id});
  if (!rows.next()) return std::nullopt;
  return rows.text(0);
}

void CallTable::insert(const Call& c) {
  db_.run("INSERT INTO calls (" + kCallColumns +
              ") VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, "
              "NULL, ?, ?, ?, ?, NULL, NULL)",
          {c.id, c.org_id, call::to_string(c.state), c.version, c.caller.id, c.caller.name,
           c.requested_staff_id, std::int64_t{c.media.audio ? 1 : 0},
           std::int64_t{c.media.video ? 1 : 0}, metadata_to_json(c.metadata), c.created_at_ms,
           c.ring_deadline_ms, c.topic, c.queued_at_ms, c.queue_deadline_ms, c.transferred_from});
}

void CallTable::remember_key(const Call& c, const std::string& key) {
  db_.run(
      "INSERT INTO idempotency_keys (org_id, user_id, key, call_id, created_at) VALUES "
      "(?, ?, ?, ?, ?)",
      {c.org_id, c.caller.id, key, c.id, c.created_at_ms});
}

CallPage CallTable::list(const CallQuery& query) {
  // Every parameter is always passed, and the SQL names those the query uses.
  std::string sql = "SELECT " + kCallColumns + " FROM calls WHERE org_id = ?1";
  if (query.caller_id) sql += " AND caller_id = ?2";
  if (query.state) sql += " AND state = ?3";
  if (query.before) sql += " AND (created_at < ?4 OR (created_at = ?4 AND id < ?5))";
  sql += " ORDER BY created_at DESC, id DESC LIMIT ?6";
  std::optional<std::string> state;
  if (query.state) state = std::string(call::to_string(*query.state));
  std::optional<std::int64_t> before_time;
  std::optional<std::string> before_id;
  if (query.before) {
    before_time = query.before->first;
    before_id = query.before->second;
  }
  CallPage page;
  page.calls =
      calls(sql, {query.org_id, query.caller_id, state, before_time, before_id, query.limit + 1});
  if (static_cast<int>(page.calls.size()) > query.limit) {
    page.calls.pop_back();
    page.more = true;
  }
  return page;
}

std::vector<Call> CallTable::open_of_user(const std::string& org_id, const std::string& user_id) {
  // Every welcome runs this. One branch per way of taking part, each on its own small index (the
  // partial indexes of open calls, the ringing participants): an OR of the three made SQLite
  // scan every call the org ever had, so each connect got slower as the history grew. A call
  // has a staff member only once accepted.
  const std::string open(kOpenCallCondition);
  return calls("SELECT " + kCallColumns + " FROM calls WHERE org_id = ?1 AND caller_id = ?2 AND " +
                   open + " UNION SELECT " + kCallColumns +
                   " FROM calls WHERE org_id = ?1 AND staff_id = ?2 AND state IN ('accepted', "
                   "'active') UNION SELECT " +
                   kCallColumns +
                   " FROM calls WHERE id IN (SELECT call_id FROM call_participants WHERE org_id = "
                   "?1 AND staff_id = ?2 AND outcome = 'ringing') AND " +
                   open + " ORDER BY created_at, id",
               {org_id, user_id});
}

std::vector<Call> CallTable::created_since(const std::string& org_id, std::int64_t since_ms) {
  return calls("SELECT " + kCallColumns +
                   " FROM calls WHERE org_id = ? AND created_at >= ? ORDER BY created_at",
               {org_id, since_ms});
}

std::optional<Call> CallTable::move(const TransitionRequest& r) {
  std::string sql =
      "UPDATE calls SET state = ?1, version = version + 1, "
      "end_reason = COALESCE(?2, end_reason), "
      "accepted_at = CASE WHEN ?1 = 'accepted' THEN ?3 ELSE accepted_at END, "
      "active_at = CASE WHEN ?1 = 'active' THEN ?3 ELSE active_at END, "
      "ended_at = CASE WHEN ?4 THEN ?3 ELSE ended_at END, "
      "staff_id = COALESCE(?5, staff_id), staff_name = COALESCE(?6, staff_name), "
      "ring_deadline = COALESCE(?9, ring_deadline), "
      "transferred_to = COALESCE(?10, transferred_to), "
      "ice_profile = COALESCE(?11, ice_profile), "
      "queued_at = COALESCE(queued_at, ?12), queue_deadline = COALESCE(queue_deadline, ?13) "
      "WHERE org_id = ?7 AND id = ?8 AND state IN " +
      state_list(r.from);
  std::optional<std::string> staff_id, staff_name;
  if (r.accepting_staff) {
    staff_id = r.accepting_staff->id;
    staff_name = r.accepting_staff->name;
    sql +=
        " AND EXISTS (SELECT 1 FROM call_participants WHERE call_id = ?8 AND staff_id = ?5 "
        "AND outcome = 'ringing')";
  }
  std::optional<std::string> transferred_to;
  if (r.successor) transferred_to = r.successor->id;
  sql::Params params{call::to_string(r.to),
                     r.end_reason,
                     r.now_ms,
                     call::is_terminal(r.to),
                     staff_id,
                     staff_name,
                     r.org_id,
                     r.call_id,
                     r.ring_deadline_ms,
                     transferred_to,
                     r.ice_profile,
                     r.queued_at_ms,
                     r.queue_deadline_ms};
  if (r.effects.ring_chosen_staff && !r.ring.empty()) {
    // A promotion: only while the staff member chosen is still free (no ring, no call, no
    // wrap-up). Another node may have given them a call since this one read the staff.
    sql +=
        " AND NOT EXISTS (SELECT 1 FROM call_participants WHERE org_id = ?7 AND staff_id = ?14 "
        "AND outcome = 'ringing') AND NOT EXISTS (SELECT 1 FROM calls WHERE org_id = ?7 AND "
        "staff_id = ?14 AND state IN ('accepted', 'active')) AND NOT EXISTS (SELECT 1 FROM staff "
        "WHERE org_id = ?7 AND staff_id = ?14 AND wrap_up_until > ?3)";
    params.emplace_back(r.ring.front().staff_id);
  }
  if (!db_.dialect().statement_is_round_trip) {
    if (db_.run(sql, params) == 0) return std::nullopt;
    return find(r.org_id, r.call_id);
  }
  sql += " RETURNING " + kCallColumns;
  auto rows = db_.query(sql, params);
  if (!rows.next()) return std::nullopt;
  return read_call(rows);
}

std::vector<CallRef> CallTable::refs(std::string_view sql) {
  auto rows = db_.query(sql, {});
  std::vector<CallRef> out;
  while (rows.next()) out.push_back({rows.text(0), rows.text(1), rows.int64(2)});
  return out;
}

bool CallTable::hold_if_ringing(const std::string& org_id, const std::string& call_id) {
  return db_.run(
             "UPDATE calls SET version = version WHERE org_id = ? AND id = ? AND state = 'ringing'",
             {org_id, call_id}) > 0;
}

std::vector<CallRef> CallTable::ringing() {
  return refs(
      "SELECT org_id, id, ring_deadline FROM calls WHERE state = 'ringing' ORDER BY "
      "ring_deadline");
}

std::vector<CallRef> CallTable::accepted() {
  return refs(
      "SELECT org_id, id, accepted_at FROM calls WHERE state = 'accepted' ORDER BY accepted_at");
}

std::vector<CallRef> CallTable::open() {
  return refs("SELECT org_id, id, created_at FROM calls WHERE " + std::string(kOpenCallCondition));
}

DueCalls CallTable::due(std::int64_t due_by_ms, std::int64_t accepted_by_ms, int limit) {
  // Each branch is a range scan of its state's partial index (calls_ringing_by_deadline,
  // calls_accepted_by_time; the queued calls' index holds only the few queued rows), so an idle
  // or a busy node pays the same few microseconds when nothing is due.
  auto rows = db_.query(
      "SELECT kind, org_id, id, due_at FROM ("
      "SELECT 'r' AS kind, org_id, id, ring_deadline AS due_at FROM calls "
      "WHERE state = 'ringing' AND ring_deadline <= ?1 "
      "UNION ALL SELECT 'q', org_id, id, queue_deadline FROM calls "
      "WHERE state = 'queued' AND queue_deadline <= ?1 "
      "UNION ALL SELECT 'a', org_id, id, accepted_at FROM calls "
      "WHERE state = 'accepted' AND accepted_at <= ?2"
      ") due ORDER BY due_at LIMIT ?3",
      {due_by_ms, accepted_by_ms, limit});
  DueCalls out;
  while (rows.next()) {
    const std::string kind = rows.text(0);
    CallRef ref{rows.text(1), rows.text(2), rows.int64(3)};
    if (kind == "r") {
      out.ringing.push_back(std::move(ref));
    } else if (kind == "q") {
      out.queued.push_back(std::move(ref));
    } else {
      out.accepted.push_back(std::move(ref));
    }
  }
  return out;
}

std::vector<Call> CallTable::queued(const std::string& org_id) {
  return calls("SELECT " + kCallColumns +
                   " FROM calls WHERE org_id = ? AND state = 'queued' ORDER BY queued_at, id",
               {org_id});
}

std::vector<CallRef> CallTable::queued_refs() {
  return refs(
      "SELECT org_id, id, queue_deadline FROM calls WHERE state = 'queued' ORDER BY queued_at, "
      "id");
}

std::vector<std::int64_t> CallTable::handle_times_ms(const std::string& org_id, int limit) {
  auto rows = db_.query(
      "SELECT ended_at - accepted_at FROM calls WHERE org_id = ? AND state = 'ended' AND "
      "accepted_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY created_at DESC, id DESC "
      "LIMIT ?",
      {org_id, limit});
  std::vector<std::int64_t> out;
  while (rows.next()) out.push_back(rows.int64(0));
  return out;
}

}  // namespace sb::storage
