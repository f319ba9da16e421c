#include "storage/sql_store/staff_table.hpp"

#include "storage/store_common.hpp"

namespace sb::storage {
namespace {

/// Rows of (org_id, staff_id, wrap_up_until).
std::vector<WrapUpRef> wrap_ups_of(sql::Rows& rows) {
  std::vector<WrapUpRef> out;
  while (rows.next()) out.push_back({rows.text(0), rows.text(1), rows.int64(2)});
  return out;
}

}  // namespace

void StaffTable::upsert(const std::string& org_id, const std::string& staff_id,
                        const std::string& name, std::int64_t now_ms) {
  db_.run(
      "INSERT INTO staff (org_id, staff_id, name, status, since, available_since, "
      "last_call_end, wrap_up_until, missed_in_row) VALUES (?, ?, ?, 'offline', ?, 0, 0, 0, 0) "
      "ON CONFLICT (org_id, staff_id) DO UPDATE SET name = excluded.name WHERE staff.name <> "
      "excluded.name",
      {org_id, staff_id, name, now_ms});
}

void StaffTable::set_skills(const std::string& org_id, const std::string& staff_id,
                            const std::vector<std::string>& skills) {
  db_.run("UPDATE staff SET skills = ?1 WHERE org_id = ?2 AND staff_id = ?3 AND skills <> ?1",
          {string_list_to_json(skills), org_id, staff_id});
}

void StaffTable::set_status(const std::string& org_id, const std::string& staff_id,
                            call::StaffStatus status, std::int64_t now_ms) {
  // Becoming available starts the idle clock of longest-idle and forgives missed rings.
  db_.run(
      "UPDATE staff SET since = ?1, "
      "available_since = CASE WHEN ?2 = 'available' AND status <> 'available' THEN ?1 "
      "ELSE available_since END, "
      "missed_in_row = CASE WHEN ?2 = 'available' AND status <> 'available' THEN 0 "
      "ELSE missed_in_row END, "
      "status = ?2 WHERE org_id = ?3 AND staff_id = ?4",
      {now_ms, call::to_string(status), org_id, staff_id});
}

void StaffTable::touch(const std::string& org_id, const std::vector<std::string>& staff_ids,
                       std::int64_t now_ms) {
  if (staff_ids.empty()) return;
  if (!db_.dialect().statement_is_round_trip) {
    for (const auto& id : staff_ids) {
      db_.run("UPDATE staff SET since = ? WHERE org_id = ? AND staff_id = ?", {now_ms, org_id, id});
    }
    return;
  }
  std::string sql = "UPDATE staff SET since = ? WHERE org_id = ? AND staff_id IN (?";
  for (std::size_t i = 1; i < staff_ids.size(); ++i) sql += ", ?";
  sql += ")";
  sql::Params params{now_ms, org_id};
  for (const auto& id : staff_ids) params.emplace_back(id);
  db_.run(sql, params);
}

void StaffTable::count_missed_ring(const std::string& org_id, const std::string& staff_id,
                                   std::int64_t now_ms, int max_missed) {
  // docs/api.md#routing: only rings that ran out on the staff member count.
  db_.run(
      "UPDATE staff SET missed_in_row = missed_in_row + 1, since = ?, "
      "status = CASE WHEN missed_in_row + 1 >= ? AND status = 'available' THEN 'away' "
      "ELSE status END WHERE org_id = ? AND staff_id = ?",
      {now_ms, max_missed, org_id, staff_id});
}

void StaffTable::took_call(const std::string& org_id, const std::string& staff_id,
                           std::int64_t now_ms) {
  db_.run("UPDATE staff SET missed_in_row = 0, since = ? WHERE org_id = ? AND staff_id = ?",
          {now_ms, org_id, staff_id});
}

void StaffTable::start_wrap_up(const std::string& org_id, const std::string& staff_id,
                               std::int64_t now_ms, std::int64_t wrap_up_ms) {
  db_.run(
      "UPDATE staff SET last_call_end = ?1, wrap_up_until = ?1 + ?2, since = ?1 "
      "WHERE org_id = ?3 AND staff_id = ?4",
      {now_ms, wrap_up_ms, org_id, staff_id});
}

std::vector<StaffEntry> StaffTable::list(const std::string& org_id,
                                         const std::optional<std::string>& staff_id,
                                         std::int64_t now_ms, std::int64_t presence_grace_ms) {
  std::string sql =
      "SELECT s.staff_id, s.name, s.status, s.since, s.available_since, s.last_call_end, "
      "s.wrap_up_until, s.missed_in_row, "
      "(SELECT c.id FROM calls c WHERE c.org_id = s.org_id AND c.staff_id = s.staff_id AND "
      "c.state IN ('accepted', 'active') LIMIT 1), "
      "EXISTS (SELECT 1 FROM call_participants p WHERE p.org_id = s.org_id AND p.staff_id = "
      "s.staff_id AND p.outcome = 'ringing'), "
      "EXISTS (SELECT 1 FROM presence pr WHERE pr.org_id = s.org_id AND pr.user_id = "
      "s.staff_id AND (pr.connections > 0 OR pr.disconnected_at > ?2)), "
      "s.skills "
      "FROM staff s WHERE s.org_id = ?1";
  if (staff_id) sql += " AND s.staff_id = ?3";
  sql += " ORDER BY s.staff_id";
  sql::Params params{org_id, now_ms - presence_grace_ms};
  if (staff_id) params.emplace_back(*staff_id);
  auto rows = db_.query(sql, params);
  std::vector<StaffEntry> out;
  while (rows.next()) {
    StaffEntry e;
    e.id = rows.text(0);
    e.name = rows.text(1);
    e.chosen_status = call::parse_staff_status(rows.text(2)).value_or(call::StaffStatus::kOffline);
    e.since_ms = rows.int64(3);
    const std::int64_t available_since = rows.int64(4);
    const std::int64_t last_call_end = rows.int64(5);
    const std::int64_t wrap_up_until = rows.int64(6);
    e.missed_in_row = static_cast<int>(rows.int64(7));
    e.call_id = rows.opt_text(8);
    const bool ringing = rows.boolean(9);
    e.connected = rows.boolean(10);
    e.skills = string_list_from_json(rows.text(11));
    derive_staff_view(e, ringing, available_since, last_call_end, wrap_up_until, now_ms);
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<WrapUpRef> StaffTable::wrap_ups_after(std::int64_t now_ms) {
  auto rows = db_.query("SELECT org_id, staff_id, wrap_up_until FROM staff WHERE wrap_up_until > ?",
                        {now_ms});
  return wrap_ups_of(rows);
}

std::vector<WrapUpRef> StaffTable::due_wrap_up_ends(std::int64_t due_by_ms, int limit) {
  // On the partial index staff_wrap_up_pending: only wrap-ups whose end is not handled yet.
  auto rows = db_.query(
      "SELECT org_id, staff_id, wrap_up_until FROM staff WHERE wrap_up_until > 0 AND "
      "wrap_up_until <= ? ORDER BY wrap_up_until LIMIT ?",
      {due_by_ms, limit});
  return wrap_ups_of(rows);
}

bool StaffTable::claim_wrap_up_end(const WrapUpRef& wrap_up) {
  // 0 once handled: the staff member's view is the same (the wrap-up is over either way).
  return db_.run(
             "UPDATE staff SET wrap_up_until = 0 WHERE org_id = ? AND staff_id = ? AND "
             "wrap_up_until = ?",
             {wrap_up.org_id, wrap_up.staff_id, wrap_up.until_ms}) > 0;
}

}  // namespace sb::storage
