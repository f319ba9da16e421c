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
  if (node_id.empty()) {
    db_.run("UPDATE presence SET connections = 0, disconnected_at = ? WHERE connections > 0",
            {now_ms});
    return;
  }
  db_.run(
      "UPDATE presence SET connections = 0, disconnected_at = ? WHERE node_id = ? AND "
      "connections > 0",
      {now_ms, node_id});
}

bool PresenceTable::heartbeat(const std::string& node_id, std::int64_t now_ms) {
  sql::Transaction tx(db_, sql::Durability::kRelaxed);
  const bool renewed =
      db_.run("UPDATE nodes SET last_seen = ? WHERE node_id = ?", {now_ms, node_id}) > 0;
  if (!renewed) {
    db_.run(
        "INSERT INTO nodes (node_id, last_seen) VALUES (?1, ?2) ON CONFLICT (node_id) DO UPDATE "
        "SET last_seen = ?2",
        {node_id, now_ms});
  }
  tx.commit();
  return renewed;
}

std::vector<ReapedPresence> PresenceTable::reap_dead_nodes(const std::string& self,
                                                           std::int64_t dead_before_ms) {
  struct DeadNode {
    std::string id;
    std::int64_t last_seen = 0;
  };
  std::vector<DeadNode> dead;
  {
    auto rows =
        db_.query("SELECT node_id, last_seen FROM nodes WHERE last_seen < ? AND node_id <> ?",
                  {dead_before_ms, self});
    while (rows.next()) dead.push_back({rows.text(0), rows.int64(1)});
  }
  std::vector<ReapedPresence> reaped;
  for (const auto& node : dead) {
    sql::Transaction tx(db_, sql::Durability::kRelaxed);
    std::vector<ReapedPresence> open;
    {
      auto rows = db_.query(
          "SELECT p.org_id, p.user_id, EXISTS (SELECT 1 FROM staff s WHERE s.org_id = p.org_id "
          "AND s.staff_id = p.user_id) FROM presence p WHERE p.node_id = ? AND p.connections > 0",
          {node.id});
      while (rows.next())
        open.push_back({rows.text(0), rows.text(1), rows.boolean(2), node.last_seen});
    }
    for (auto& user : open) {
      // The conditional UPDATE decides which of several reaping nodes takes each user.
      const auto changed = db_.run(
          "UPDATE presence SET connections = 0, disconnected_at = ? WHERE org_id = ? AND "
          "user_id = ? AND node_id = ? AND connections > 0",
          {node.last_seen, user.org_id, user.user_id, node.id});
      if (changed > 0) reaped.push_back(std::move(user));
    }
    // Unless it beat again meanwhile: then it lives, and restores what was taken.
    db_.run("DELETE FROM nodes WHERE node_id = ? AND last_seen = ?", {node.id, node.last_seen});
    tx.commit();
  }
  return reaped;
}

void PresenceTable::restore(const std::string& node_id, const std::vector<LocalPresence>& users) {
  sql::Transaction tx(db_, sql::Durability::kRelaxed);
  for (const auto& u : users) {
    db_.run(
        "INSERT INTO presence (org_id, user_id, node_id, connections, disconnected_at) VALUES "
        "(?1, ?2, ?3, ?4, NULL) ON CONFLICT (org_id, user_id, node_id) DO UPDATE SET "
        "connections = ?4, disconnected_at = NULL",
        {u.org_id, u.user_id, node_id, u.connections});
  }
  tx.commit();
}

}  // namespace sb::storage
