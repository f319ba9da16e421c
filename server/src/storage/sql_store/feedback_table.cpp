#include "storage/sql_store/feedback_table.hpp"

#include "storage/store_common.hpp"

namespace sb::storage {

void FeedbackTable::save(const std::string& call_id, const std::string& user_id, const Feedback& f,
                         std::int64_t now_ms) {
  db_.run(
      "INSERT INTO call_feedback (call_id, user_id, score, issues, comment, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (call_id, user_id) DO UPDATE SET score = "
      "excluded.score, issues = excluded.issues, comment = excluded.comment, created_at = "
      "excluded.created_at",
      {call_id, user_id, f.score, string_list_to_json(f.issues), f.comment, now_ms});
}

std::vector<FeedbackEntry> FeedbackTable::of_call(const std::string& call_id) {
  auto rows = db_.query(
      "SELECT user_id, score, issues, comment, created_at FROM call_feedback WHERE call_id = ? "
      "ORDER BY created_at, user_id",
      {call_id});
  std::vector<FeedbackEntry> out;
  while (rows.next()) {
    FeedbackEntry e;
    e.user_id = rows.text(0);
    e.feedback.score = static_cast<int>(rows.int64(1));
    e.feedback.issues = string_list_from_json(rows.text(2));
    e.feedback.comment = rows.text(3);
    e.created_at_ms = rows.int64(4);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sb::storage
