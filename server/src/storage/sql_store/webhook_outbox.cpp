#include "storage/sql_store/webhook_outbox.hpp"

namespace sb::storage {

void WebhookOutbox::add(const Call& call, const std::string& payload, std::int64_t now_ms) {
  db_.run(
      "INSERT INTO webhook_outbox (call_id, version, payload, created_at, next_attempt_at) "
      "VALUES (?, ?, ?, ?, ?)",
      {call.id, call.version, payload, now_ms, now_ms});
}

std::vector<WebhookEvent> WebhookOutbox::due(std::int64_t now_ms, int limit) {
  // Later versions of a call wait for its oldest undelivered one.
  auto rows = db_.query(
      "SELECT o.id, o.call_id, o.version, o.payload, o.attempts, o.created_at FROM "
      "webhook_outbox o WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ? AND o.id = "
      "(SELECT MIN(p.id) FROM webhook_outbox p WHERE p.call_id = o.call_id AND "
      "p.delivered_at IS NULL) ORDER BY o.id LIMIT ?",
      {now_ms, limit});
  std::vector<WebhookEvent> out;
  while (rows.next()) {
    out.push_back({rows.int64(0), rows.text(1), rows.int64(2), rows.text(3),
                   static_cast<int>(rows.int64(4)), rows.int64(5)});
  }
  return out;
}

void WebhookOutbox::delivered(std::int64_t id, std::int64_t now_ms) {
  db_.run("UPDATE webhook_outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
          {now_ms, id});
}

void WebhookOutbox::failed(std::int64_t id, std::int64_t next_attempt_ms,
                           const std::string& error) {
  db_.run(
      "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? "
      "WHERE id = ?",
      {next_attempt_ms, error, id});
}

std::int64_t WebhookOutbox::pending() {
  auto rows = db_.query("SELECT COUNT(*) FROM webhook_outbox WHERE delivered_at IS NULL", {});
  return rows.next() ? rows.int64(0) : 0;
}

}  // namespace sb::storage
