#pragma once
// The call_feedback table: each participant's feedback on a call, the latest one only.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class FeedbackTable {
 public:
  explicit FeedbackTable(sql::Database& db) : db_(db) {}

  /// Replaces this user's feedback on the call.
  void save(const std::string& call_id, const std::string& user_id, const Feedback& feedback,
            std::int64_t now_ms);
  /// Oldest first.
  std::vector<FeedbackEntry> of_call(const std::string& call_id);

 private:
  sql::Database& db_;
};

}  // namespace sb::storage
