#pragma once
// What the call service keeps in memory of what the database holds, so the hot path of a call
// reads nothing it has just written: every open call with its ring participants, and each org's
// staff board. A write-through cache: the service updates it only from what a store operation
// returned (a transition returns the call and its participants after the move) or re-reads it
// after operations that do not return enough (marked stale).
//
// Calls that ended are kept a while too (the last kMaxEnded), since a terminal call never
// changes again: late requests about it, such as the accepts of staff who lost the race, are
// answered without reading the database.
//
// Only exact while this process is the database's only writer (one node). With several nodes
// another node changes the same rows, so the service turns it off and reads the database.

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "call/call.hpp"
#include "storage/store.hpp"

namespace sb::service {

class HotState {
 public:
  explicit HotState(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }

  // --- Open calls ---

  /// The call is open (not terminal) as given. `participants`, when known, replace the
  /// remembered ones; otherwise they are kept (or read on first use).
  void put_call(const call::Call& call,
                std::optional<std::vector<storage::Participant>> participants = std::nullopt);
  static constexpr std::size_t kMaxEnded = 4096;

  /// The call ended as `final`: it is no longer open, and is kept among the recently ended.
  /// `participants`, when known, are its final ones.
  void end_call(const call::Call& final,
                std::optional<std::vector<storage::Participant>> participants = std::nullopt);
  /// The call, open or recently ended, if remembered and of `org_id`.
  const call::Call* find_call(const std::string& org_id, const std::string& call_id) const;
  /// Its participants, when known and not stale.
  const std::vector<storage::Participant>* participants(const std::string& call_id) const;
  void set_participants(const std::string& call_id, std::vector<storage::Participant> parts);
  /// Something changed the call's participants without saying how: read them again next time.
  void participants_changed(const std::string& call_id);
  /// The ringing calls of the org, oldest first.
  std::vector<std::string> ringing_calls_of(const std::string& org_id) const;
  /// Whether the org has a queued call.
  bool has_queued(const std::string& org_id) const;
  /// The org's queued calls in queue order (queued_at, then id), as the database orders them.
  std::vector<call::Call> queued_calls_of(const std::string& org_id) const;
  /// The caller's open call, if any.
  std::optional<std::string> open_call_of_caller(const std::string& org_id,
                                                 const std::string& caller_id) const;
  void count_quality_sample(const std::string& call_id);
  /// Whether the call has quality samples, open or recently ended; nullopt when the call is not
  /// remembered, or ended without being open here.
  std::optional<bool> has_quality(const std::string& call_id) const;

  // --- Staff ---

  /// The org's staff, when the whole list has been read once.
  const std::vector<storage::StaffEntry>* staff_of(const std::string& org_id) const;
  void put_staff_list(const std::string& org_id, std::vector<storage::StaffEntry> staff);
  /// One staff member as just read; added when the org's list is known.
  void update_staff(const std::string& org_id, const storage::StaffEntry& entry);

 private:
  struct OpenCall {
    call::Call call;
    std::vector<storage::Participant> participants;
    bool participants_known = false;
    int quality_samples = 0;
    /// Whether every quality sample of the call went through count_quality_sample(): false for
    /// a call first seen here already accepted or active, or ended without being open here.
    bool samples_counted = true;
  };
  /// The open or recently ended call's entry.
  const OpenCall* entry(const std::string& call_id) const;
  OpenCall* entry(const std::string& call_id);
  static std::string user_key(const std::string& org_id, const std::string& user_id) {
    return org_id + "/" + user_id;
  }
  /// Each org's ringing and queued calls, so that questions about one org never scan the open
  /// calls of every org. Kept in step with calls_ by index() and unindex().
  struct OrgCalls {
    std::set<std::pair<std::int64_t, std::string>> ringing;  // (created_at, id): oldest first
    std::set<std::pair<std::int64_t, std::string>> queued;   // (queued_at, id): queue order
  };
  void index(const call::Call& call);
  void unindex(const call::Call& call);

  bool enabled_;
  std::unordered_map<std::string, OpenCall> calls_;
  std::unordered_map<std::string, OrgCalls> by_org_;
  std::unordered_map<std::string, OpenCall> ended_;
  std::deque<std::string> ended_order_;  // Oldest first, for eviction.
  /// "org/caller" -> call id, for the one open call a caller may have.
  std::unordered_map<std::string, std::string> by_caller_;
  std::unordered_map<std::string, std::vector<storage::StaffEntry>> staff_;
};

}  // namespace sb::service
