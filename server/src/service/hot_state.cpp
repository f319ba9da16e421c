#include "service/hot_state.hpp"

#include <algorithm>
#include <utility>

namespace sb::service {

void HotState::put_call(const call::Call& call,
                        std::optional<std::vector<storage::Participant>> participants) {
  if (!enabled_) return;
  auto [it, added] = calls_.try_emplace(call.id);
  OpenCall& entry = it->second;
  // Samples come only while a call is accepted or active: first seen in one of those states
  // (after a restart, or read back), it may have samples this process never counted.
  if (added) {
    entry.samples_counted =
        call.state != call::CallState::kAccepted && call.state != call::CallState::kActive;
  } else {
    unindex(entry.call);
  }
  entry.call = call;
  index(call);
  if (participants) {
    entry.participants = std::move(*participants);
    entry.participants_known = true;
  }
  by_caller_[user_key(call.org_id, call.caller.id)] = call.id;
}

void HotState::end_call(const call::Call& final,
                        std::optional<std::vector<storage::Participant>> participants) {
  if (!enabled_) return;
  OpenCall entry;
  entry.samples_counted = false;
  if (auto open = calls_.find(final.id); open != calls_.end()) {
    unindex(open->second.call);
    entry = std::move(open->second);
    calls_.erase(open);
  }
  auto caller = by_caller_.find(user_key(final.org_id, final.caller.id));
  if (caller != by_caller_.end() && caller->second == final.id) by_caller_.erase(caller);
  entry.call = final;
  // Participants remembered while open may predate the last move: keep only the final ones.
  entry.participants_known = participants.has_value();
  entry.participants =
      participants ? std::move(*participants) : std::vector<storage::Participant>{};
  if (ended_.insert_or_assign(final.id, std::move(entry)).second) ended_order_.push_back(final.id);
  while (ended_order_.size() > kMaxEnded) {
    ended_.erase(ended_order_.front());
    ended_order_.pop_front();
  }
}

const HotState::OpenCall* HotState::entry(const std::string& call_id) const {
  if (auto it = calls_.find(call_id); it != calls_.end()) return &it->second;
  if (auto it = ended_.find(call_id); it != ended_.end()) return &it->second;
  return nullptr;
}

HotState::OpenCall* HotState::entry(const std::string& call_id) {
  return const_cast<OpenCall*>(std::as_const(*this).entry(call_id));
}

const call::Call* HotState::find_call(const std::string& org_id, const std::string& call_id) const {
  const OpenCall* known = entry(call_id);
  if (known == nullptr || known->call.org_id != org_id) return nullptr;
  return &known->call;
}

const std::vector<storage::Participant>* HotState::participants(const std::string& call_id) const {
  const OpenCall* known = entry(call_id);
  if (known == nullptr || !known->participants_known) return nullptr;
  return &known->participants;
}

void HotState::set_participants(const std::string& call_id,
                                std::vector<storage::Participant> parts) {
  OpenCall* known = entry(call_id);
  if (known == nullptr) return;
  known->participants = std::move(parts);
  known->participants_known = true;
}

void HotState::participants_changed(const std::string& call_id) {
  if (OpenCall* known = entry(call_id)) known->participants_known = false;
}

void HotState::index(const call::Call& call) {
  if (call.state == call::CallState::kRinging) {
    by_org_[call.org_id].ringing.emplace(call.created_at_ms, call.id);
  } else if (call.state == call::CallState::kQueued) {
    by_org_[call.org_id].queued.emplace(call.queued_at_ms.value_or(call.created_at_ms), call.id);
  }
}

void HotState::unindex(const call::Call& call) {
  auto org = by_org_.find(call.org_id);
  if (org == by_org_.end()) return;
  if (call.state == call::CallState::kRinging) {
    org->second.ringing.erase({call.created_at_ms, call.id});
  } else if (call.state == call::CallState::kQueued) {
    org->second.queued.erase({call.queued_at_ms.value_or(call.created_at_ms), call.id});
  }
  if (org->second.ringing.empty() && org->second.queued.empty()) by_org_.erase(org);
}

bool HotState::has_queued(const std::string& org_id) const {
  auto org = by_org_.find(org_id);
  return org != by_org_.end() && !org->second.queued.empty();
}

std::vector<call::Call> HotState::queued_calls_of(const std::string& org_id) const {
  std::vector<call::Call> out;
  auto org = by_org_.find(org_id);
  if (org == by_org_.end()) return out;
  out.reserve(org->second.queued.size());
  for (const auto& [queued_at, id] : org->second.queued) out.push_back(calls_.at(id).call);
  return out;
}

std::vector<std::string> HotState::ringing_calls_of(const std::string& org_id) const {
  std::vector<std::string> out;
  auto org = by_org_.find(org_id);
  if (org == by_org_.end()) return out;
  out.reserve(org->second.ringing.size());
  for (const auto& [created_at, id] : org->second.ringing) out.push_back(id);
  return out;
}

std::optional<std::string> HotState::open_call_of_caller(const std::string& org_id,
                                                         const std::string& caller_id) const {
  auto it = by_caller_.find(user_key(org_id, caller_id));
  if (it == by_caller_.end()) return std::nullopt;
  return it->second;
}

void HotState::count_quality_sample(const std::string& call_id) {
  auto it = calls_.find(call_id);
  if (it != calls_.end()) ++it->second.quality_samples;
}

std::optional<bool> HotState::has_quality(const std::string& call_id) const {
  // Unknown unless every sample was counted here: then the database is asked.
  const OpenCall* known = entry(call_id);
  if (known == nullptr || !known->samples_counted) return std::nullopt;
  return known->quality_samples > 0;
}

const std::vector<storage::StaffEntry>* HotState::staff_of(const std::string& org_id) const {
  auto it = staff_.find(org_id);
  return it == staff_.end() ? nullptr : &it->second;
}

void HotState::put_staff_list(const std::string& org_id, std::vector<storage::StaffEntry> staff) {
  if (!enabled_) return;
  staff_[org_id] = std::move(staff);
}

void HotState::update_staff(const std::string& org_id, const storage::StaffEntry& entry) {
  auto it = staff_.find(org_id);
  if (it == staff_.end()) return;
  auto& list = it->second;
  auto same = std::find_if(list.begin(), list.end(),
                           [&](const storage::StaffEntry& e) { return e.id == entry.id; });
  if (same == list.end()) {
    list.push_back(entry);
  } else {
    *same = entry;
  }
}

}  // namespace sb::service
