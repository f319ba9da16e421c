#include "service/call_access.hpp"

#include "service/rules.hpp"

namespace sb::service {

using call::ErrorCode;
using call::make_error;

Result<Call> CallAccess::visible_call(const Principal& user, const std::string& call_id) {
  auto found = reads_.find_call(user.org_id, call_id);
  if (!found) return found.error();
  if (!*found) return make_error(ErrorCode::kNotFound);
  return **found;
}

Result<Call> CallAccess::get_call(const Principal& user, const std::string& call_id) {
  auto c = visible_call(user, call_id);
  if (!c) return c;
  if (user.role == auth::Role::kClient && c->caller.id != user.user_id) {
    return make_error(ErrorCode::kForbidden);
  }
  return c;
}

Result<storage::CallPage> CallAccess::list_calls(const Principal& user, storage::CallQuery query) {
  query.org_id = user.org_id;
  if (user.role == auth::Role::kClient) query.caller_id = user.user_id;
  return ctx_.store.list_calls(query);
}

Result<Call> CallAccess::participant_call(const Principal& user, const std::string& call_id) {
  auto c = visible_call(user, call_id);
  if (!c) return c;
  if (!is_participant(user, *c)) return make_error(ErrorCode::kForbidden);
  return c;
}

Result<std::vector<Call>> CallAccess::open_calls_of(const Principal& user) {
  return ctx_.store.open_calls_of_user(user.org_id, user.user_id);
}

}  // namespace sb::service
