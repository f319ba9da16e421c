#pragma once
// The presence table: each user's open connections per node, and when the last one closed.
// Every start rebuilds it (reset), so its writes need not wait for the disk.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class PresenceTable {
 public:
  explicit PresenceTable(sql::Database& db) : db_(db) {}

  void connect(const std::string& org_id, const std::string& user_id, const std::string& node_id);
  /// Returns the user's open connections left on all nodes.
  int disconnect(const std::string& org_id, const std::string& user_id, const std::string& node_id,
                 std::int64_t now_ms);
  /// Open connections now, or closed less than `grace_ms` ago.
  bool is_present(const std::string& org_id, const std::string& user_id, std::int64_t now_ms,
                  std::int64_t grace_ms);
  bool ever_connected(const std::string& org_id, const std::string& user_id);
  /// This node's connections are gone; graces restart from `now_ms`.
  void reset(const std::string& node_id, std::int64_t now_ms);

  // Node liveness: Store::node_heartbeat, reap_dead_nodes, presence_restore.
  bool heartbeat(const std::string& node_id, std::int64_t now_ms);
  std::vector<ReapedPresence> reap_dead_nodes(const std::string& self, std::int64_t dead_before_ms);
  void restore(const std::string& node_id, const std::vector<LocalPresence>& users);

 private:
  sql::Database& db_;
};

}  // namespace sb::storage
