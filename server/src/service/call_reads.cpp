#include "service/call_reads.hpp"

namespace sb::service {

Result<std::optional<call::Call>> CallReads::find_call(const std::string& org_id,
                                                       const std::string& call_id) {
  if (const call::Call* known = ctx_.hot.find_call(org_id, call_id)) {
    return std::optional<call::Call>(*known);
  }
  auto found = ctx_.store.find_call(org_id, call_id);
  // One node: every open call is in memory, so one found here has ended (or another org's).
  if (found && *found && !call::is_terminal((*found)->state)) ctx_.hot.put_call(**found);
  return found;
}

Result<std::optional<std::string>> CallReads::open_call_of_caller(const auth::Principal& caller) {
  if (ctx_.hot.enabled()) return ctx_.hot.open_call_of_caller(caller.org_id, caller.user_id);
  auto open = ctx_.store.open_calls_of_user(caller.org_id, caller.user_id);
  if (!open) return open.error();
  for (const auto& c : *open) {
    if (c.caller.id == caller.user_id) return std::optional<std::string>(c.id);
  }
  return std::optional<std::string>();
}

Result<std::vector<call::Call>> CallReads::queued_calls(const std::string& org_id) {
  if (ctx_.hot.enabled()) return ctx_.hot.queued_calls_of(org_id);
  return ctx_.store.queued_calls(org_id);
}

Result<std::vector<storage::Participant>> CallReads::participants_of(const std::string& call_id) {
  if (const auto* known = ctx_.hot.participants(call_id)) return *known;
  auto parts = ctx_.store.participants(call_id);
  if (parts) ctx_.hot.set_participants(call_id, *parts);
  return parts;
}

}  // namespace sb::service
