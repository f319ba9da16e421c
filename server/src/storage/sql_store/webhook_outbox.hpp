#pragma once
// The webhook_outbox table: every version of every call, written in the transaction that made
// it, until it is delivered (at least once, each call's versions in order).

#include <cstdint>
#include <string>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class WebhookOutbox {
 public:
  explicit WebhookOutbox(sql::Database& db) : db_(db) {}

  void add(const Call& call, const std::string& payload, std::int64_t now_ms);
  /// Undelivered events due by `now_ms` that are each the oldest undelivered one of their call.
  std::vector<WebhookEvent> due(std::int64_t now_ms, int limit);
  void delivered(std::int64_t id, std::int64_t now_ms);
  void failed(std::int64_t id, std::int64_t next_attempt_ms, const std::string& error);
  std::int64_t pending();

 private:
  sql::Database& db_;
};

}  // namespace sb::storage
