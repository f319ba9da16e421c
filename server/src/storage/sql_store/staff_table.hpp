#pragma once
// The staff table: each staff member's chosen status, idle clock, missed rings and wrap-up.
// What they are doing right now (in a call, ringing) is read from the calls it implies.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sql/database.hpp"
#include "storage/store.hpp"

namespace sb::storage {

class StaffTable {
 public:
  explicit StaffTable(sql::Database& db) : db_(db) {}

  /// Records a staff member on first sight and refreshes their name.
  void upsert(const std::string& org_id, const std::string& staff_id, const std::string& name,
              std::int64_t now_ms);
  /// The topics they serve (docs/queue.md#topics); written only when they changed.
  void set_skills(const std::string& org_id, const std::string& staff_id,
                  const std::vector<std::string>& skills);
  void set_status(const std::string& org_id, const std::string& staff_id, call::StaffStatus status,
                  std::int64_t now_ms);
  /// Their state changed at `now_ms` (a ring started or ended).
  void touch(const std::string& org_id, const std::string& staff_id, std::int64_t now_ms) {
    touch(org_id, std::vector<std::string>{staff_id}, now_ms);
  }
  /// The same for several at once, in one statement (ringing N staff is one round trip).
  void touch(const std::string& org_id, const std::vector<std::string>& staff_ids,
             std::int64_t now_ms);
  /// One more ring ran out on them; `max_missed` in a row sets an available one away.
  void count_missed_ring(const std::string& org_id, const std::string& staff_id,
                         std::int64_t now_ms, int max_missed);
  /// They took a call at `now_ms`: their missed rings are forgiven and their state changed.
  void took_call(const std::string& org_id, const std::string& staff_id, std::int64_t now_ms);
  /// Their call ended at `now_ms`: wrap-up for `wrap_up_ms`.
  void start_wrap_up(const std::string& org_id, const std::string& staff_id, std::int64_t now_ms,
                     std::int64_t wrap_up_ms);

  /// The org's staff (or only `staff_id`), by id. `presence_grace_ms` decides who still counts
  /// as connected.
  std::vector<StaffEntry> list(const std::string& org_id,
                               const std::optional<std::string>& staff_id, std::int64_t now_ms,
                               std::int64_t presence_grace_ms);
  std::vector<WrapUpRef> wrap_ups_after(std::int64_t now_ms);
  std::vector<WrapUpRef> due_wrap_up_ends(std::int64_t due_by_ms, int limit);
  bool claim_wrap_up_end(const WrapUpRef& wrap_up);

 private:
  sql::Database& db_;
};

}  // namespace sb::storage
