#include "storage/sql_store/presence_table.hpp"

#include "storage/sql/transaction.hpp"

namespace sb::storage {

void PresenceTable::connect(const std::string& org_id, const std::string& user_id,
                            const std::string& node_id) {
  sql::Transaction tx(db_, sql::Durability::kRelaxed);
  db_.run(
      "INSERT INTO presence (org_id, user_id, node_id, connections, disconnected_at) VALUES "
      "(?, ?, ?, 1, NULL) ON CONFLICT (org_id, user_id, node_id) DO UPDATE SET "
      "connections = presence.connections + 1, disconnected_at = NULL",
      {org_id, user_id, node_id});
  tx.commit();
}

int PresenceTable::disconnect(const std::string& org_id, const std::string& user_id,
                              const std::string& node_id, std::int64_t now_ms) {
  sql::Transaction tx(db_, sql::Durability::kRelaxed);
  db_.run(
      "UPDATE presence SET connections = GREATEST(connections - 1, 0), disconnected_at = CASE "
      "WHEN connections <= 1 THEN ? ELSE disconnected_at END WHERE org_id = ? AND user_id = ? "
      "AND node_id = ?",
      {now_ms, org_id, user_id, node_id});
  int left = 0;
  {
    auto rows = db_.query(
        "SELECT COALESCE(SUM(connections), 0) FROM presence WHERE org_id = ? AND user_id = ?",
        {org_id, user_id});
    if (rows.next()) left = static_cast<int>(rows.int64(0));
  }
  tx.commit();
  return left;
}

bool PresenceTable::is_present(const std::string& org_id, const std::string& user_id,
                               std::int64_t now_ms, std::int64_t grace_ms) {
  auto rows = db_.query(
      "SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = ? AND user_id = ? AND "
      "(connections > 0 OR disconnected_at > ?))",
      {org_id, user_id, now_ms - grace_ms});
  return rows.next() && rows.boolean(0);
}

bool PresenceTable::ever_connected(const std::string& org_id, const std::string& user_id) {
  auto rows = db_.query("SELECT EXISTS (SELECT 1 FROM presence WHERE org_id = ? AND user_id = ?)",
                        {org_id, user_id});
  return rows.next() && rows.boolean(0);
}

void PresenceTable::reset(const std::string& node_id, std::int64_t now_ms) {
  db_.run(
      "UPDATE presence SET connections = 0, disconnected_at = ? WHERE node_id = ? AND "
      "connections > 0",
      {now_ms, node_id});
}

}  // namespace sb::storage
